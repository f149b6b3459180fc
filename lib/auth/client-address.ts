/**
 * The caller's address as the nearest proxy saw it: `next start` sets X-Forwarded-For to the
 * socket's address when no proxy did, and a proxy appends the address it saw last.
 */
export function clientAddress(headers: Headers | Record<string, string | string[] | undefined>): string {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers['x-forwarded-for'];
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return value.split(',').map((part) => part.trim()).filter(Boolean).at(-1) ?? 'unknown';
}
