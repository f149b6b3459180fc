// The catalogs as people read them: every message of messages/<locale>.json formatted, its
// arguments filled in and its rich-text tags reduced to their text.
import { createTranslator } from 'next-intl';
import type { Locale } from '@/lib/i18n/locales';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

type Tree = { [key: string]: string | Tree };

export const CATALOGS: Record<Locale, typeof en> = { en, fr };

/** Every message of a catalog by its dotted key, as written (ICU syntax included). */
export function flattenMessages(tree: Tree, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.set(path, value);
    else for (const [nested, text] of flattenMessages(value, path)) entries.set(nested, text);
  }
  return entries;
}

/** Every message of a language, formatted with each argument set to 1 (a count, or a value to show). */
export function renderedMessages(locale: Locale): Map<string, string> {
  const t = createTranslator({ locale, messages: CATALOGS[locale] });
  const rendered = new Map<string, string>();
  for (const [key, message] of flattenMessages(CATALOGS[locale])) {
    const values = Object.fromEntries([...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*[,}]/g)].map((match) => [match[1]!, 1]));
    const tags = Object.fromEntries([...message.matchAll(/<([A-Za-z]\w*)>/g)].map((match) => [match[1]!, (chunks: string) => chunks]));
    rendered.set(key, (t.markup as unknown as (key: string, values: Record<string, unknown>) => string)(key, { ...values, ...tags }));
  }
  return rendered;
}
