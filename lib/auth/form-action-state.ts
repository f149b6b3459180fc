import type { FieldErrors } from '@/lib/errors';

/** What a form's server action answers; shared with the client components that render it. */
export type ActionState<T = undefined> =
  | { status: 'idle' }
  | { status: 'success'; message: string; data?: T }
  | { status: 'error'; message: string; fieldErrors?: FieldErrors; values?: Record<string, string> };

export const IDLE = { status: 'idle' } as const satisfies ActionState<never>;
