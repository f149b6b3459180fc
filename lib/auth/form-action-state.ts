import type { RenderedProblem } from '@/lib/i18n/render';

/** A failed action as its form shows it: the problem (message, what to do next, fields) and what was typed. */
export type ActionError = {
  status: 'error';
  message: string;
  hint?: string;
  fieldErrors?: RenderedProblem['fields'];
  values?: Record<string, string>;
};

/** What a form's server action answers; shared with the client components that render it. */
export type ActionState<T = undefined> = { status: 'idle' } | { status: 'success'; message: string; data?: T } | ActionError;

/** What an action called with an object (not a form) answers: its data, or the same error as a form's. */
export type ActionResult<T> = { status: 'success'; data: T } | ActionError;

export const IDLE = { status: 'idle' } as const satisfies ActionState<never>;
