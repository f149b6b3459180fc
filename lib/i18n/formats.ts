import type { Formats } from 'next-intl';

/**
 * The one way dates read in Mailroom, by name, for `format.dateTime(value, 'dateTime')` (next-intl's
 * `useFormatter` or `getFormatter`, or the <Time> component): in the viewer's language and time zone,
 * « 29 nov. 2026, 14:05 » in French and "Nov 29, 2026, 2:05 PM" in English.
 */
export const FORMATS = {
  dateTime: {
    date: { day: 'numeric', month: 'short', year: 'numeric' },
    dateTime: { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' },
    time: { hour: 'numeric', minute: '2-digit' },
  },
} as const satisfies Formats;

export type DateFormat = keyof (typeof FORMATS)['dateTime'];

/** The API and the lib/ functions give moments as ISO 8601 strings or as dates. */
export type Moment = Date | string;

export const toDate = (moment: Moment): Date => (typeof moment === 'string' ? new Date(moment) : moment);
