import 'server-only';
import { cookies, headers } from 'next/headers';
import { getEnv } from '@/lib/env';
import { matchAcceptLanguage, resolveLocale, type Locale } from './locales';
import type { ZonedReader } from './text';
import { BROWSER_TIME_ZONE_COOKIE, resolveTimeZone } from './time-zones';

async function acceptLanguage(): Promise<string | null> {
  try {
    return (await headers()).get('accept-language');
  } catch {
    return null; // called outside a request (a job, a script): no browser to ask
  }
}

async function browserTimeZone(): Promise<string | null> {
  try {
    return (await cookies()).get(BROWSER_TIME_ZONE_COOKIE)?.value ?? null;
  } catch {
    return null;
  }
}

/**
 * Who reads what a request answers (a page, a server action's result): the user's own language and
 * time zone, else their browser's (`Accept-Language`, the time zone it left in a cookie), else the
 * portal's defaults. Outside a request there is no browser to ask.
 */
export async function requestReader(user: { locale: string | null; timeZone: string | null } | null): Promise<ZonedReader> {
  const env = getEnv();
  const [language, zone] = await Promise.all([acceptLanguage(), browserTimeZone()]);
  return {
    locale: resolveLocale({ userLocale: user?.locale, acceptLanguage: language, defaultLocale: env.MAILROOM_DEFAULT_LOCALE }),
    timeZone: resolveTimeZone({ userTimeZone: user?.timeZone, browserTimeZone: zone, defaultTimeZone: env.MAILROOM_DEFAULT_TIME_ZONE }),
  };
}

/**
 * The language the API answers in: what the request's `Accept-Language` asks for, else English.
 * API clients are scripts more often than people; their messages stay stable unless they ask.
 */
export function apiLocale(request: { headers: Headers }): Locale {
  return matchAcceptLanguage(request.headers.get('accept-language')) ?? 'en';
}
