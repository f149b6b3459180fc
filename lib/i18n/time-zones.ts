/** The cookie where the browser leaves the time zone it is in, for people who have not chosen theirs. */
export const BROWSER_TIME_ZONE_COOKIE = 'mailroom-browser-time-zone';

let known: Set<string> | undefined;

/** Every time zone a person may choose, by its canonical name (`Intl.supportedValuesOf`), plus `UTC`, which Node 20 leaves out. */
function knownTimeZones(): Set<string> {
  known ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return known;
}

/**
 * The canonical IANA name of a time zone, or null for a name that is none: an alias a browser may
 * report (America/Montreal, Asia/Kolkata) becomes the name in the runtime's list.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!name) return null;
  try {
    const canonical = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    return knownTimeZones().has(canonical) ? canonical : null;
  } catch {
    return null; // RangeError: not a time zone at all
  }
}

export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== null;
}

/** Every time zone a person may choose, in alphabetical order. */
export function listTimeZones(): string[] {
  return [...knownTimeZones()].sort();
}

/** The time zone dates are shown in: the user's choice, else the browser's, else the portal's default. */
export function resolveTimeZone({
  userTimeZone,
  browserTimeZone,
  defaultTimeZone,
}: {
  userTimeZone: string | null | undefined;
  browserTimeZone: string | null | undefined;
  defaultTimeZone: string;
}): string {
  return canonicalTimeZone(userTimeZone ?? '') ?? canonicalTimeZone(browserTimeZone ?? '') ?? defaultTimeZone;
}
