// next-intl's own core, without React: this runs in jobs, scripts and the CLI too (under
// --conditions=react-server, 'next-intl' itself would load its React build).
import { createTranslator } from 'use-intl/core';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import type { Locale } from './locales';
import type { Messages } from './messages';
import { renderTextWith, type Catalogue, type Text } from './render';

export type { Phrase, PhraseValues, Text } from './render';
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

const catalogues = new Map<Locale, Catalogue>();

/** One language's messages, on the server, outside any request (jobs, mails, the API, tests). */
export function catalogueFor(locale: Locale): Catalogue {
  let catalogue = catalogues.get(locale);
  if (!catalogue) {
    const translate = createTranslator({ locale, messages: MESSAGES[locale], timeZone: 'UTC' }) as unknown as Catalogue['translate'];
    catalogue = { has: (key) => hasMessage(key, locale), translate };
    catalogues.set(locale, catalogue);
  }
  return catalogue;
}

/** A text in a language; see renderTextWith. */
export function renderText(text: Text, locale: Locale, fallback?: string): string {
  return renderTextWith(catalogueFor(locale), text, fallback);
}
