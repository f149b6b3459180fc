import { createTranslator } from 'use-intl/core';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import type { Locale } from './locales';
import type { Messages } from './messages';
import { renderTextWith, type Catalogue, type Phrase, type PhraseValues, type Text } from './render';

export type { Phrase, PhraseValues, Text } from './render';

type Join<P extends string, K extends string> = P extends '' ? K : `${P}.${K}`;
/** Every path in the messages, down to single messages and the groups that hold them. */
type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? Join<P, K> : Join<P, K> | Paths<T[K], Join<P, K>>;
}[keyof T & string];
export type MessagePath = Paths<Messages>;

const MESSAGES: Record<Locale, Messages> = { en, fr: fr as Messages };

/** A phrase, with its key checked by the compiler against messages/en.json. */
export function phrase(key: MessagePath, values?: PhraseValues): Phrase {
  return values ? { key, values } : { key };
}

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
