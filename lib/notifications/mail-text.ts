import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { users } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { resolveLocale } from '@/lib/i18n/locales';
import { phrase, phraseMoment, renderText, type PhraseValues, type ZonedReader } from '@/lib/i18n/text';
import { resolveTimeZone } from '@/lib/i18n/time-zones';


/** A mail's words, written once its reader is known. */
export type MailText = { subject: string; text: string };
export type WriteMail = (reader: ZonedReader) => MailText;

/** The recipient's own language and time zone when they are a user who chose them, else the portal's defaults. */
export async function getReader({ email }: { email: string }): Promise<ZonedReader> {
  const [user] = await db.select({ locale: users.locale, timeZone: users.timeZone }).from(users).where(eq(users.email, email));
  const env = getEnv();
  return {
    // A mail has no browser to ask: the recipient's own choices, else the portal's defaults.
    locale: resolveLocale({ userLocale: user?.locale, acceptLanguage: null, defaultLocale: env.MAILROOM_DEFAULT_LOCALE }),
    timeZone: resolveTimeZone({ userTimeZone: user?.timeZone, browserTimeZone: null, defaultTimeZone: env.MAILROOM_DEFAULT_TIME_ZONE }),
  };
}

type MailKey = 'mails.invitation' | 'mails.passwordReset' | 'mails.reconnect' | 'mails.test';

/**
 * One of the portal's mails (`mails.<name>.subject` and `.body`), its dates written in the reader's
 * time zone with the zone named (`{until, date, zoned}`): a mail is read anywhere.
 */
export function writeMail(key: MailKey, values: PhraseValues = {}, dates: Record<string, Date> = {}): WriteMail {
  return (reader) => {
    const all = { ...values, ...Object.fromEntries(Object.entries(dates).map(([name, date]) => [name, phraseMoment(date)])) };
    return { subject: renderText(phrase(`${key}.subject`, all), reader), text: renderText(phrase(`${key}.body`, all), reader) };
  };
}
