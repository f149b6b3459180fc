/** Whole days since a moment, as "12 days". */
export function ageOf(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const days = Math.floor((now - Date.parse(iso)) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? '1 day' : `${days} days`;
}

/** What the last test found, in a word or two. */
export function testOutcome(test: { ok: boolean | null } | null): string {
  if (!test) return 'Never tested';
  return test.ok === null ? 'Running' : test.ok ? 'Passed' : 'Failed';
}
