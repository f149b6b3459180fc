import 'server-only';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import type { User, UserRole } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { describeError, logger } from '@/lib/logger';
import { toFieldErrors } from '@/lib/validations/field-errors';
import type { ActionState } from './form-action-state';
import { requireRole } from './session';

/** Form fields as a plain object; secret fields are never echoed back to the form. */
function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === 'string' && !key.startsWith('$ACTION')) values[key] = value;
  }
  return values;
}

// Fields whose name ends so hold secrets (password, clientSecret, confirmPassword…): never echoed.
const SECRET_FIELD = /(password|secret|token)$/i;

function safeValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELD.test(key)));
}

/**
 * A server action for `useActionState`: checks the caller's role on the server, parses the form
 * with the same zod schema as the API, and returns field errors or a message a person can act on.
 */
export function formAction<S extends z.ZodType, T = undefined>(
  options: {
    roles: UserRole[];
    schema: S;
    /** Fields sent several times (checkboxes of a selection), parsed as arrays. */
    arrayFields?: string[];
  },
  run: (input: z.output<S>, user: User) => Promise<{ message: string; data?: T; redirectTo?: string }>,
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const user = await requireRole(...options.roles);
    const values = formValues(formData);
    const arrays = Object.fromEntries((options.arrayFields ?? []).map((field) => [field, formData.getAll(field).map(String)]));
    const parsed = options.schema.safeParse({ ...values, ...arrays });
    if (!parsed.success) {
      return {
        status: 'error',
        message: 'Some fields need your attention.',
        fieldErrors: toFieldErrors(parsed.error),
        values: safeValues(values),
      };
    }
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(parsed.data, user);
    } catch (error) {
      if (error instanceof AppError) {
        return { status: 'error', message: error.message, fieldErrors: error.fields, values: safeValues(values) };
      }
      logger.error('form action failed', { error: describeError(error) });
      return { status: 'error', message: 'Something went wrong on our side. The error was logged.', values: safeValues(values) };
    }
    if (result.redirectTo) redirect(result.redirectTo);
    return { status: 'success', message: result.message, data: result.data };
  };
}
