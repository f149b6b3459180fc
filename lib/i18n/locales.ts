/** The languages Mailroom speaks; every message exists in each (tests/unit/messages.test.ts). */
export const LOCALES = ['fr', 'en'] as const;

export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Each language named in itself, as people look for it in a list. */
export const LOCALE_NAMES: Record<Locale, string> = { fr: 'Français', en: 'English' };

/**
 * The language of an `Accept-Language` header Mailroom speaks best: the languages in the order of
 * their q-values (the header's own order among equals), each matched by its primary subtag, so that
 * `fr-CA` is French. Null when the header names none of ours.
 */
export function matchAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, position) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const quality = parameters.map((parameter) => parameter.trim().match(/^q=([0-9.]+)$/)?.[1]).find(Boolean);
      return { language: tag.trim().split('-')[0]!.toLowerCase(), quality: quality === undefined ? 1 : Number(quality), position };
    })
    .filter((entry) => entry.quality > 0 && !Number.isNaN(entry.quality))
    .sort((a, b) => b.quality - a.quality || a.position - b.position);
  return ranked.map((entry) => entry.language).find(isLocale) ?? null;
}

/** The language of a request: the user's own choice, else what the browser asks for, else the portal's default. */
export function resolveLocale({
  userLocale,
  acceptLanguage,
  defaultLocale,
}: {
  userLocale: string | null | undefined;
  acceptLanguage: string | null | undefined;
  defaultLocale: Locale;
}): Locale {
  if (isLocale(userLocale)) return userLocale;
  return matchAcceptLanguage(acceptLanguage) ?? defaultLocale;
}
