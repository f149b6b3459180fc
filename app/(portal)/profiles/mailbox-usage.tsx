import { useTranslations } from 'next-intl';

/** Used / cap, with a bar that turns amber from 90 % so that a filling profile shows before it is full. */
export function MailboxUsage({ count, cap }: { count: number; cap: number | null }) {
  const t = useTranslations('profiles.usage');
  if (cap === null) return <span>{t('noCap', { count })}</span>;
  const ratio = cap > 0 ? count / cap : 1;
  const nearlyFull = ratio >= 0.9;
  return (
    <div className="min-w-32">
      <span>
        {count} / {cap}
      </span>
      <div
        role="meter"
        aria-label={t('meter')}
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
