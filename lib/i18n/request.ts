import 'server-only';
import { getRequestConfig } from 'next-intl/server';
import { getCurrentUser } from '@/lib/auth/session';
import { formatsFor } from './formats';
import { isLocale } from './locales';
import { loadMessages } from './messages';
import { requestReader } from './request-locale';

/**
 * next-intl's configuration for a request, without locale prefixes in URLs: the language and the
 * time zone of the signed-in user, as server actions answer them (`requestReader`).
 */
export default getRequestConfig(async ({ locale: requested }) => {
  const { locale: viewerLocale, timeZone } = await requestReader(await getCurrentUser());
  // An explicit `getTranslations({ locale })` wins: words for someone other than the viewer.
  const locale = isLocale(requested) ? requested : viewerLocale;
  return { locale, timeZone, now: new Date(), formats: formatsFor(locale), messages: await loadMessages(locale) };
});
