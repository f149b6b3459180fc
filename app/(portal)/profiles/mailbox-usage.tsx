/** Used / cap, with a bar that turns amber from 90 % so that a filling profile shows before it is full. */
export function MailboxUsage({ count, cap }: { count: number; cap: number | null }) {
  if (cap === null) return <span>{count} (no cap)</span>;
  const ratio = cap > 0 ? count / cap : 1;
  const nearlyFull = ratio >= 0.9;
  return (
    <div className="min-w-32">
      <span>
        {count} / {cap}
      </span>
      <div
        role="meter"
        aria-label="Mailboxes used of the cap"
        aria-valuemin={0}
        aria-valuemax={cap}
        aria-valuenow={count}
        data-state={nearlyFull ? 'nearly-full' : 'ok'}
        className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full ${nearlyFull ? 'bg-amber-500' : 'bg-indigo-500'}`}
          style={{ width: `${Math.min(100, Math.round(ratio * 100))}%` }}
        />
      </div>
    </div>
  );
}
