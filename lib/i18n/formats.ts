import type { Formats } from 'next-intl';
import type { Locale } from './locales';

const DAY = { day: 'numeric', month: 'short', year: 'numeric' } as const;

/**
 * The one way dates read in Mailroom, by name, for `format.dateTime(value, 'dateTime')` (next-intl's
 * `useFormatter` or `getFormatter`, or the <Time> component), in the viewer's language and time
 * zone: « 29 nov. 2026, 08:05 » in French, whose clocks always show two digits, and
 * "Nov 29, 2026, 8:05 AM" in English.
 */
export function formatsFor(locale: Locale) {
  const hour = locale === 'fr' ? '2-digit' : 'numeric';
  return {
    dateTime: {
      date: DAY,
      dateTime: { ...DAY, hour, minute: '2-digit' },
      time: { hour, minute: '2-digit' },
      /** A moment inside a sentence lib/ wrote, whose reader's time zone may be the portal's default: it names its zone. */
      zoned: { ...DAY, hour, minute: '2-digit', timeZoneName: 'short' },
    },
  } as const satisfies Formats;
}

export type AppFormats = ReturnType<typeof formatsFor>;

export type DateFormat = keyof AppFormats['dateTime'];

/** The API and the lib/ functions give moments as ISO 8601 strings or as dates. */
export type Moment = Date | string;

export const toDate = (moment: Moment): Date => (typeof moment === 'string' ? new Date(moment) : moment);
