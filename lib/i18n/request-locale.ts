import 'server-only';
import { headers } from 'next/headers';
import { getEnv } from '@/lib/env';
import { matchAcceptLanguage, resolveLocale, type Locale } from './locales';

async function acceptLanguage(): Promise<string | null> {
  try {
    return (await headers()).get('accept-language');
  } catch {
    return null; // called outside a request (a job, a script): no browser to ask
  }
}

/** The language a server action answers in: the caller's own choice, else their browser's, else the portal's default. */
export async function actionLocale(user: { locale: string | null } | null): Promise<Locale> {
  return resolveLocale({ userLocale: user?.locale, acceptLanguage: await acceptLanguage(), defaultLocale: getEnv().MAILROOM_DEFAULT_LOCALE });
}

/**
 * The language the API answers in: what the request's `Accept-Language` asks for, else English.
 * API clients are scripts more often than people; their messages stay stable unless they ask.
 */
export function apiLocale(request: { headers: Headers }): Locale {
  return matchAcceptLanguage(request.headers.get('accept-language')) ?? 'en';
}
