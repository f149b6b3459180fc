import { z } from 'zod';
import type { FieldErrors } from '@/lib/errors';

/** Zod issues as `{ field: [messages] }`; errors about the whole input go under `_`. */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const flat = z.flattenError(error);
  const fields: FieldErrors = {};
  for (const [field, messages] of Object.entries(flat.fieldErrors)) {
    if (Array.isArray(messages) && messages.length > 0) fields[field] = messages as string[];
  }
  if (flat.formErrors.length > 0) fields._ = flat.formErrors;
  return fields;
}
