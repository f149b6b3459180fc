import { z } from 'zod';
import type { FieldErrors } from '@/lib/errors';
import { hasMessage, type PhraseValues, type Text } from '@/lib/i18n/text';

type Issue = z.core.$ZodIssue;

const englishDefault = z.locales.en().localeError;

/** What an issue says about its limits, for the message that names them. */
function issueValues(issue: Issue): PhraseValues {
  const values: PhraseValues = {};
  if ('origin' in issue && typeof issue.origin === 'string') values.origin = issue.origin;
  if ('minimum' in issue) values.minimum = Number(issue.minimum);
  if ('maximum' in issue) values.maximum = Number(issue.maximum);
  if ('format' in issue && typeof issue.format === 'string') values.format = issue.format;
  if ('expected' in issue && typeof issue.expected === 'string') values.expected = issue.expected;
  if ('values' in issue && Array.isArray(issue.values)) values.options = issue.values.map(String).join(', ');
  if ('keys' in issue && Array.isArray(issue.keys)) values.keys = issue.keys.join(', ');
  if (issue.code === 'custom' && issue.params) {
    for (const [name, value] of Object.entries(issue.params)) {
      if (typeof value === 'string' || typeof value === 'number') values[name] = value;
    }
  }
  return values;
}

/**
 * What a person reads about one issue. Schemas give their own messages as message keys
 * (`validation.…`); zod's generic ones become ours (`validation.zod.<code>`), in every language;
 * any other text is kept as written.
 */
export function issueText(issue: Issue): Text {
  if (hasMessage(issue.message)) return { key: issue.message, values: issueValues(issue) };
  const generic = englishDefault(issue as never);
  if (generic && issue.message === (typeof generic === 'string' ? generic : generic.message)) {
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    const key = missing ? 'validation.zod.required' : `validation.zod.${issue.code}`;
    return { key: hasMessage(key) ? key : 'validation.zod.custom', values: issueValues(issue) };
  }
  return issue.message;
}

/**
 * Zod issues as `{ field: [texts] }`, nested fields named by their dotted path (`incoming.port`);
 * errors about the whole input go under `_`.
 */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    (fields[name] ??= []).push(issueText(issue));
  }
  return fields;
}
