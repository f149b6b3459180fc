import 'server-only';
import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { getCurrentUser } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { formatsFor } from './formats';
import { isLocale, resolveLocale } from './locales';
import { loadMessages } from './messages';
import { BROWSER_TIME_ZONE_COOKIE, resolveTimeZone } from './time-zones';

/**
 * next-intl's configuration for a request, without locale prefixes in URLs: the language and the
 * time zone are the signed-in user's own settings when they chose them, otherwise the browser's
 * (`Accept-Language`, and the time zone the browser left in a cookie), otherwise the portal's defaults.
 */
export default getRequestConfig(async ({ locale: requested }) => {
  const env = getEnv();
  const [user, requestHeaders, requestCookies] = await Promise.all([getCurrentUser(), headers(), cookies()]);
  // An explicit `getTranslations({ locale })` wins: words for someone other than the viewer.
  const locale = isLocale(requested) ? requested : resolveLocale({
    userLocale: user?.locale,
    acceptLanguage: requestHeaders.get('accept-language'),
    defaultLocale: env.MAILROOM_DEFAULT_LOCALE,
  });
  const timeZone = resolveTimeZone({
    userTimeZone: user?.timeZone,
    browserTimeZone: requestCookies.get(BROWSER_TIME_ZONE_COOKIE)?.value,
    defaultTimeZone: env.MAILROOM_DEFAULT_TIME_ZONE,
  });
  return { locale, timeZone, now: new Date(), formats: formatsFor(locale), messages: await loadMessages(locale) };
});
