import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { users } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { formatsFor } from '@/lib/i18n/formats';
import { isLocale, type Locale } from '@/lib/i18n/locales';
import { phrase, renderText, type PhraseValues } from '@/lib/i18n/text';
import { canonicalTimeZone } from '@/lib/i18n/time-zones';

/** Who reads a mail: the language and time zone it is written in. */
export type Reader = { locale: Locale; timeZone: string };

/** A mail's words, written once its reader is known. */
export type MailText = { subject: string; text: string };
export type WriteMail = (reader: Reader) => MailText;

/** The recipient's own language and time zone when they are a user who chose them, else the portal's defaults. */
export async function getReader({ email }: { email: string }): Promise<Reader> {
  const [user] = await db.select({ locale: users.locale, timeZone: users.timeZone }).from(users).where(eq(users.email, email));
  const env = getEnv();
  return {
    locale: isLocale(user?.locale) ? user.locale : env.MAILROOM_DEFAULT_LOCALE,
    timeZone: (user?.timeZone && canonicalTimeZone(user.timeZone)) || env.MAILROOM_DEFAULT_TIME_ZONE,
  };
}

/** A moment as the reader reads dates on the portal's pages, with the time zone named: a mail is read anywhere. */
export function mailDate(date: Date, { locale, timeZone }: Reader): string {
  return new Intl.DateTimeFormat(locale, { ...formatsFor(locale).dateTime.dateTime, timeZone, timeZoneName: 'short' }).format(date);
}

type MailKey = 'mails.invitation' | 'mails.passwordReset' | 'mails.reconnect' | 'mails.test';

/** One of the portal's mails (`mails.<name>.subject` and `.body`), its dates written in the reader's time zone. */
export function writeMail(key: MailKey, values: PhraseValues = {}, dates: Record<string, Date> = {}): WriteMail {
  return (reader) => {
    const all = { ...values, ...Object.fromEntries(Object.entries(dates).map(([name, date]) => [name, mailDate(date, reader)])) };
    return { subject: renderText(phrase(`${key}.subject`, all), reader.locale), text: renderText(phrase(`${key}.body`, all), reader.locale) };
  };
}
