/** Whole days since a moment, for `tokenStatus.age` ("12 days"); null when there is no moment. */
export function daysSince(iso: string | null, now = Date.now()): number | null {
  if (!iso) return null;
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 86_400_000));
}

/** What the last test found, as its `tokenStatus.test.*` key. */
export function testOutcomeKey(test: { ok: boolean | null } | null): 'never' | 'running' | 'passed' | 'failed' {
  if (!test) return 'never';
  return test.ok === null ? 'running' : test.ok ? 'passed' : 'failed';
}
