/**
 * Words that lib/ writes before anyone knows who will read them (a failed test read tomorrow by a
 * French admin, a problem an English script receives): a message key with its values, rendered in
 * the reader's language where it is shown. A value may itself be a phrase (a reason inside a sentence).
 */
export type Phrase = { key: string; values?: PhraseValues };
/** A moment inside a sentence (ISO 8601), shown in the reader's language and time zone: `{until, date, zoned}`. */
export type PhraseMoment = { at: string };
export type PhraseValues = { [name: string]: string | number | Phrase | PhraseMoment };

export const phraseMoment = (date: Date): PhraseMoment => ({ at: date.toISOString() });

const isMoment = (value: Phrase | PhraseMoment): value is PhraseMoment => 'at' in value;

/** What lib/ gives people to read: a phrase, or a plain string that is not words of ours (a server's reply, a name). */
export type Text = string | Phrase;

/** A problem as lib/errors.ts defines it, as far as rendering reads it. */
type ProblemWords = { code: string; message: string; hint?: string; fields?: Record<string, Text[]>; key?: string; values?: PhraseValues };

/** A problem in one reader's language: what the API answers and forms show. */
export type RenderedProblem = { code: string; message: string; hint?: string; fields?: Record<string, string[]> };

/** One language's messages as rendering needs them: next-intl's translator on the server or in the browser. */
export type Catalogue = { has: (key: string) => boolean; translate: (key: string, values: Record<string, string | number | Date>) => string };

/**
 * A text in the catalogue's language. A phrase whose key the messages no longer hold (a row stored by
 * an older version) renders as `fallback`, so a stored problem keeps its stored English.
 */
export function renderTextWith(catalogue: Catalogue, text: Text, fallback?: string): string {
  if (typeof text === 'string') return text;
  if (!catalogue.has(text.key)) return fallback ?? text.key;
  const values = Object.fromEntries(
    Object.entries(text.values ?? {}).map(([name, value]) => [
      name,
      typeof value !== 'object' ? value : isMoment(value) ? new Date(value.at) : renderTextWith(catalogue, value),
    ]),
  );
  return catalogue.translate(text.key, values);
}

/**
 * A problem in the catalogue's language. Without a key (or with one the messages no longer hold, from
 * an older stored row) the stored English is kept; a stored hint is kept when the messages have none.
 */
export function renderProblemWith(catalogue: Catalogue, problem: ProblemWords): RenderedProblem {
  const { code, key, values } = problem;
  const message = key ? renderTextWith(catalogue, { key: `${key}.message`, values }, problem.message) : problem.message;
  const hint = key && catalogue.has(`${key}.hint`) ? renderTextWith(catalogue, { key: `${key}.hint`, values }) : problem.hint;
  const fields = problem.fields
    ? Object.fromEntries(Object.entries(problem.fields).map(([name, texts]) => [name, texts.map((text) => renderTextWith(catalogue, text))]))
    : undefined;
  return { code, message, ...(hint ? { hint } : {}), ...(fields ? { fields } : {}) };
}
