import 'server-only';
import type { z } from 'zod';
import { requestReader } from '@/lib/i18n/request-locale';
import type { ActionResult } from './form-action-state';
import { authorizeAction, failedAction, invalidAction, type ActionCaller, type ActionRoles } from './form-action';

/**
 * A server action that a client component calls with an object rather than a form: the same role
 * check on the server, zod parsing and error answers as `formAction`, with the work's result as data.
 * Export the result directly from a 'use server' file: `export const xAction = serverAction(...)`.
 */
export function serverAction<S extends z.ZodType, R extends ActionRoles, T>(
  options: { roles: R; schema: S },
  run: (input: z.output<S>, user: ActionCaller<R>) => Promise<T>,
) {
  return async (input: z.input<S>): Promise<ActionResult<T>> => {
    const user = await authorizeAction(options.roles);
    const reader = await requestReader(user);
    const parsed = options.schema.safeParse(input);
    if (!parsed.success) return invalidAction(parsed.error, reader);
    try {
      return { status: 'success', data: await run(parsed.data, user) };
    } catch (error) {
      return failedAction(error, reader);
    }
  };
}
