// next-intl's own core, without React: this runs in jobs, scripts and the CLI too (under
// --conditions=react-server, 'next-intl' itself would load its React build).
import { createTranslator } from 'use-intl/core';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import { getEnv } from '@/lib/env';
import { formatsFor } from './formats';
import type { Locale } from './locales';
import type { Messages } from './messages';
import { renderTextWith, type Catalogue, type Text } from './render';

export type { Phrase, PhraseValues, Text } from './render';
export { phraseMoment } from './render';
export { phrase, type MessagePath } from './phrase';

const MESSAGES: Record<Locale, Messages> = { en, fr: fr as Messages };

function lookup(locale: Locale, key: string): unknown {
  let node: unknown = MESSAGES[locale];
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Whether the messages hold a sentence at this key (not a group of them). */
export function hasMessage(key: string, locale: Locale = 'en'): boolean {
  return typeof lookup(locale, key) === 'string';
}

/**
 * Who reads: a language, and the time zone their moments are shown in. A bare language reads moments
 * in the portal's default time zone (MAILROOM_DEFAULT_TIME_ZONE); such moments name their zone.
 */
export type ZonedReader = { locale: Locale; timeZone: string };
export type Reader = Locale | ZonedReader;

const catalogues = new Map<string, Catalogue>();

/** One reader's messages, on the server, outside any request (jobs, mails, the API, tests). */
export function catalogueFor(reader: Reader): Catalogue {
  const { locale, timeZone } = typeof reader === 'string' ? { locale: reader, timeZone: getEnv().MAILROOM_DEFAULT_TIME_ZONE } : reader;
  const cacheKey = `${locale} ${timeZone}`;
  let catalogue = catalogues.get(cacheKey);
  if (!catalogue) {
    const translate = createTranslator({ locale, messages: MESSAGES[locale], timeZone, formats: formatsFor(locale) }) as unknown as Catalogue['translate'];
    catalogue = { has: (key) => hasMessage(key, locale), translate };
    catalogues.set(cacheKey, catalogue);
  }
  return catalogue;
}

/** A text for a reader; see renderTextWith. */
export function renderText(text: Text, reader: Reader, fallback?: string): string {
  return renderTextWith(catalogueFor(reader), text, fallback);
}
