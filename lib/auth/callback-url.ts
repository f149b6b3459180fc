/**
 * Where to go after signing in: only a path on the portal's own origin. The value is parsed
 * against that origin, so `//host`, `/\host`, other schemes and their encoded forms all end on `/`.
 */
export function safeCallbackPath(raw: string | null | undefined, origin: string): string {
  if (!raw) return '/';
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(origin).origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path such as `/.//host` parses to `//host`, which a browser would read as another host.
  return /^\/[/\\]/.test(path) ? '/' : path;
}
