// Issue 16, item 1: the language of a request, and the time zone dates are shown in.
import { createFormatter } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { formatsFor } from '@/lib/i18n/formats';
import { matchAcceptLanguage, resolveLocale } from '@/lib/i18n/locales';
import { isTimeZone, resolveTimeZone } from '@/lib/i18n/time-zones';
import { renderText } from '@/lib/i18n/text';
import { toFieldErrors } from '@/lib/validations/field-errors';
import { userPreferencesSchema } from '@/lib/validations/users';

describe('the language of a request', () => {
  it('is the user’s own choice first, whatever the browser asks for', () => {
    expect(resolveLocale({ userLocale: 'en', acceptLanguage: 'fr-FR,fr;q=0.9', defaultLocale: 'fr' })).toBe('en');
    expect(resolveLocale({ userLocale: 'fr', acceptLanguage: 'en-US', defaultLocale: 'en' })).toBe('fr');
  });

  it('is the browser’s Accept-Language when the user chose none, before the portal’s default', () => {
    expect(resolveLocale({ userLocale: null, acceptLanguage: 'en-GB,en;q=0.9', defaultLocale: 'fr' })).toBe('en');
    expect(resolveLocale({ userLocale: null, acceptLanguage: 'fr-CA,fr;q=0.9,en;q=0.8', defaultLocale: 'en' })).toBe('fr');
  });

  it('is the portal’s default when the browser asks for a language Mailroom does not speak, or for none', () => {
    expect(resolveLocale({ userLocale: null, acceptLanguage: 'de-DE', defaultLocale: 'fr' })).toBe('fr');
    expect(resolveLocale({ userLocale: null, acceptLanguage: 'de-DE', defaultLocale: 'en' })).toBe('en');
    expect(resolveLocale({ userLocale: null, acceptLanguage: null, defaultLocale: 'en' })).toBe('en');
    // A stored value that is no longer a language Mailroom speaks is ignored, never rendered.
    expect(resolveLocale({ userLocale: 'de', acceptLanguage: 'de-DE', defaultLocale: 'fr' })).toBe('fr');
  });

  it('follows the q-values of Accept-Language, not only the order', () => {
    expect(matchAcceptLanguage('en;q=0.5,fr;q=0.8')).toBe('fr');
    expect(matchAcceptLanguage('de-DE,de;q=0.9,en-US;q=0.8,fr;q=0.7')).toBe('en');
    expect(matchAcceptLanguage('fr;q=0,en;q=0.1')).toBe('en');
    expect(matchAcceptLanguage('*')).toBeNull();
    expect(matchAcceptLanguage('de-DE')).toBeNull();
  });
});

describe('the time zone dates are shown in', () => {
  it('is the user’s choice, else the browser’s, else the portal’s default', () => {
    const defaultTimeZone = 'Europe/Paris';
    expect(resolveTimeZone({ userTimeZone: 'America/Toronto', browserTimeZone: 'Asia/Tokyo', defaultTimeZone })).toBe('America/Toronto');
    expect(resolveTimeZone({ userTimeZone: null, browserTimeZone: 'Asia/Tokyo', defaultTimeZone })).toBe('Asia/Tokyo');
    expect(resolveTimeZone({ userTimeZone: null, browserTimeZone: 'Mars/Olympus', defaultTimeZone })).toBe('Europe/Paris');
  });

  it('accepts only IANA names', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Montreal')).toBe(true);
    expect(isTimeZone('Europe/Lutece')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('the Account page’s language and time zone', () => {
  it('stores an empty choice as “follow the browser”', () => {
    expect(userPreferencesSchema.parse({ locale: '', timeZone: '' })).toEqual({ locale: null, timeZone: null });
    expect(userPreferencesSchema.parse({ locale: 'en', timeZone: 'America/Toronto' })).toEqual({ locale: 'en', timeZone: 'America/Toronto' });
    // An alias a browser reports is stored by the name in the list.
    expect(userPreferencesSchema.parse({ locale: 'fr', timeZone: 'America/Montreal' })).toEqual({ locale: 'fr', timeZone: 'America/Toronto' });
  });

  it('refuses a language or a time zone that does not exist, saying which', () => {
    const result = userPreferencesSchema.safeParse({ locale: 'de', timeZone: 'Europe/Lutece' });
    expect(result.success).toBe(false);
    const fields = (locale: 'en' | 'fr') =>
      Object.fromEntries(Object.entries(toFieldErrors(result.error!)).map(([name, texts]) => [name, texts.map((text) => renderText(text, locale))]));
    expect(fields('en')).toEqual({
      locale: ['Choose Français, English or your browser’s language.'],
      timeZone: ['Choose a time zone from the list, such as Europe/Paris.'],
    });
    expect(fields('fr')).toEqual({
      locale: ['Choisissez Français, English ou la langue de votre navigateur.'],
      timeZone: ['Choisissez un fuseau horaire dans la liste, par exemple Europe/Paris.'],
    });
  });
});

describe('the defaults', () => {
  it('are French and Europe/Paris, and can be set', () => {
    expect(parseEnv({})).toMatchObject({ MAILROOM_DEFAULT_LOCALE: 'fr', MAILROOM_DEFAULT_TIME_ZONE: 'Europe/Paris' });
    expect(parseEnv({ MAILROOM_DEFAULT_LOCALE: 'en', MAILROOM_DEFAULT_TIME_ZONE: 'America/Toronto' })).toMatchObject({
      MAILROOM_DEFAULT_LOCALE: 'en',
      MAILROOM_DEFAULT_TIME_ZONE: 'America/Toronto',
    });
  });

  it('refuses a language or a time zone Mailroom cannot use, naming the variable', () => {
    expect(() => parseEnv({ MAILROOM_DEFAULT_LOCALE: 'de' })).toThrow(/MAILROOM_DEFAULT_LOCALE: must be fr or en/);
    expect(() => parseEnv({ MAILROOM_DEFAULT_TIME_ZONE: 'Paris' })).toThrow(/MAILROOM_DEFAULT_TIME_ZONE: must be an IANA time zone/);
  });
});

describe('dates as people read them', () => {
  const moment = new Date('2026-11-29T13:05:00Z');
  const now = new Date('2026-11-26T13:05:00Z');
  const formatter = (locale: 'fr' | 'en', timeZone: string) => createFormatter({ locale, timeZone, now, formats: formatsFor(locale) });

  it('reads in French and in the viewer’s time zone', () => {
    const fr = formatter('fr', 'Europe/Paris');
    expect(fr.dateTime(moment, 'dateTime')).toBe('29 nov. 2026, 14:05');
    expect(fr.dateTime(moment, 'date')).toBe('29 nov. 2026');
    expect(fr.dateTime(new Date('2026-11-29T07:05:00Z'), 'time')).toBe('08:05');
    expect(fr.relativeTime(moment)).toBe('dans 3 jours');
  });

  it('reads in English, in another time zone', () => {
    const en = formatter('en', 'Asia/Tokyo');
    expect(en.dateTime(moment, 'dateTime')).toBe('Nov 29, 2026, 10:05 PM');
    expect(en.relativeTime(moment)).toBe('in 3 days');
  });
});
