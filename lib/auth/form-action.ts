import 'server-only';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import type { User, UserRole } from '@/db/schema';
import { renderProblem, type Problem } from '@/lib/errors';
import { renderText, type Reader, type Text } from '@/lib/i18n/text';
import { requestReader } from '@/lib/i18n/request-locale';
import { describeError, logger } from '@/lib/logger';
import { toPublicProblem } from '@/lib/public-problem';
import { toFieldErrors } from '@/lib/validations/field-errors';
import type { ActionError, ActionState } from './form-action-state';
import { requireRole } from './session';

/** Who may call an action: some roles, or anyone (first-run setup on an empty database, and setting a password through a single-use link). */
export type ActionRoles = UserRole[] | 'public';
/** The caller as the action's work sees it: always a user, unless the action is public. */
export type ActionCaller<R extends ActionRoles> = R extends 'public' ? User | null : User;

/** Step 1 of every action, on the server: the caller's role (no session: sign in; wrong role: 403). */
export async function authorizeAction<R extends ActionRoles>(roles: R): Promise<ActionCaller<R>> {
  const allowed: ActionRoles = roles;
  return (allowed === 'public' ? null : await requireRole(...allowed)) as ActionCaller<R>;
}

function actionError(problem: Problem, reader: Reader, values?: Record<string, string>): ActionError {
  const { message, hint, fields } = renderProblem(problem, reader);
  return { status: 'error', message, hint, fieldErrors: fields, values };
}

/** Step 2 failed: the fields to fix, changing nothing. */
export function invalidAction(error: z.ZodError, reader: Reader, values?: Record<string, string>): ActionError {
  const problem: Problem = { code: 'INVALID_INPUT', message: 'Some fields need your attention.', key: 'problems.invalidForm', fields: toFieldErrors(error) };
  return actionError(problem, reader, values);
}

/** The work failed: the problem with its hint when people may read it, otherwise a plain apology (and a log line). */
export function failedAction(error: unknown, reader: Reader, values?: Record<string, string>): ActionError {
  const known = toPublicProblem(error);
  if (known) return actionError(known.problem, reader, values);
  logger.error('server action failed', { error: describeError(error) });
  return actionError({ code: 'INTERNAL', message: 'Something went wrong on our side.', key: 'problems.internal' }, reader, values);
}

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
 * Export the result directly from a 'use server' file: `export const xAction = formAction(...)`.
 */
export function formAction<S extends z.ZodType, R extends ActionRoles, T = undefined>(
  options: {
    roles: R;
    schema: S;
    /** Fields sent several times (checkboxes of a selection), parsed as arrays. */
    arrayFields?: string[];
  },
  run: (input: z.output<S>, user: ActionCaller<R>) => Promise<{ message: Text; data?: T; redirectTo?: string }>,
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const user = await authorizeAction(options.roles);
    const reader = await requestReader(user);
    const values = formValues(formData);
    const arrays = Object.fromEntries((options.arrayFields ?? []).map((field) => [field, formData.getAll(field).map(String)]));
    const parsed = options.schema.safeParse({ ...values, ...arrays });
    if (!parsed.success) return invalidAction(parsed.error, reader, safeValues(values));
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(parsed.data, user);
    } catch (error) {
      return failedAction(error, reader, safeValues(values));
    }
    if (result.redirectTo) redirect(result.redirectTo);
    return { status: 'success', message: renderText(result.message, reader), data: result.data };
  };
}
