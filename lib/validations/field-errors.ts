import type { z } from 'zod';
import type { FieldErrors } from '@/lib/errors';

/**
 * Zod issues as `{ field: [messages] }`, nested fields named by their dotted path
 * (`incoming.port`); errors about the whole input go under `_`.
 */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    (fields[name] ??= []).push(issue.message);
  }
  return fields;
}
