// Issue 16, acceptance 1: one source of words, the same in both languages.
import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '@/lib/i18n/locales';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import { flattenMessages } from '../helpers/messages';

type Tree = { [key: string]: string | Tree };

const CATALOGS: Record<Locale, Tree> = { en, fr };

/** The ICU arguments a message takes (`{name}`, `{count, plural, …}`), whatever the branches say. */
function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*[,}]/g)].map((match) => match[1]!))].sort();
}

/** What differs between two catalogs: keys missing on either side, empty messages, different arguments. */
function differences(catalogs: Record<string, Tree>): string[] {
  const flat = Object.fromEntries(Object.entries(catalogs).map(([locale, tree]) => [locale, flattenMessages(tree)]));
  const keys = new Set(Object.values(flat).flatMap((entries) => [...entries.keys()]));
  const problems: string[] = [];
  for (const key of [...keys].sort()) {
    const present = Object.entries(flat).filter(([, entries]) => entries.has(key));
    for (const [locale, entries] of Object.entries(flat)) {
      if (!entries.has(key)) problems.push(`${key}: missing in ${locale}`);
      else if (!entries.get(key)!.trim()) problems.push(`${key}: empty in ${locale}`);
    }
    const signatures = new Set(present.map(([, entries]) => placeholders(entries.get(key)!).join(',')));
    if (signatures.size > 1) {
      problems.push(`${key}: placeholders differ (${present.map(([locale, entries]) => `${locale}: {${placeholders(entries.get(key)!).join(', ')}}`).join('; ')})`);
    }
  }
  return problems;
}

describe('messages', () => {
  it('has every key in both languages, none empty, with the same placeholders', () => {
    expect(differences(CATALOGS)).toEqual([]);
  });

  it('notices a key missing in one language, an empty message and a placeholder that differs', () => {
    expect(
      differences({
        en: { signIn: { title: 'Sign in', withSso: 'Sign in with {name}', email: 'Email' } },
        fr: { signIn: { title: ' ', withSso: 'Se connecter avec {nom}' } },
      }),
    ).toEqual([
      'signIn.email: missing in fr',
      'signIn.title: empty in fr',
      'signIn.withSso: placeholders differ (en: {name}; fr: {nom})',
    ]);
  });

  it('reads plural arguments as one placeholder, whatever their branches say', () => {
    expect(placeholders('Wait {seconds, plural, one {# second} other {# seconds}} for {name}.')).toEqual(['name', 'seconds']);
  });

  it.each(LOCALES)('formats every %s message without an ICU error', (locale) => {
    const errors: string[] = [];
    const t = createTranslator({ locale, messages: CATALOGS[locale], onError: (error) => errors.push(error.message) });
    for (const [key, message] of flattenMessages(CATALOGS[locale])) {
      const values = Object.fromEntries(placeholders(message).map((name) => [name, 1]));
      // Rich messages (`<strong>{address}</strong>`) are rendered with t.rich; their tags wrap chunks here.
      const tags = Object.fromEntries([...message.matchAll(/<([A-Za-z]\w*)>/g)].map((match) => [match[1]!, (chunks: string) => chunks]));
      (t.markup as unknown as (key: string, values: Record<string, unknown>) => string)(key, { ...values, ...tags });
    }
    expect(errors).toEqual([]);
  });

  it('writes French with the typographic apostrophe', () => {
    const straight = [...flattenMessages(fr)].filter(([, message]) => message.includes("'")).map(([key]) => key);
    expect(straight).toEqual([]);
  });
});
