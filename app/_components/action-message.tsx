import type { ReactNode } from 'react';
import type { ActionState } from '@/lib/auth/form-action-state';
import type { Problem } from '@/lib/errors';
import type { Tone } from './status-badge';
import { Alert } from './ui';

/** A problem as people read it everywhere: what went wrong, then what to do next when it is known. */
export function ProblemAlert({ problem, children }: { problem: Pick<Problem, 'message' | 'hint'>; children?: ReactNode }) {
  return (
    <Alert tone="failure">
      <p>
        {problem.message}
        {children ? <> {children}</> : null}
      </p>
      {problem.hint ? <p className="mt-1">{problem.hint}</p> : null}
    </Alert>
  );
}

/**
 * What a server action answered, shown the same way by every form: a failure in red with its hint,
 * a success in the tone the form asks for (`hidden` when the form shows its success some other way;
 * a form whose "success" can carry bad news, such as a link that could not be mailed, asks for the
 * tone of that news). An error is never shown in a success tone.
 */
export function ActionMessage({
  state,
  success = 'success',
  children,
}: {
  state: ActionState<unknown>;
  success?: Exclude<Tone, 'neutral'> | 'hidden';
  /** Shown after a failure's message: a link to what fixes it. */
  children?: ReactNode;
}) {
  if (state.status === 'idle') return null;
  if (state.status === 'error') return <ProblemAlert problem={state}>{children}</ProblemAlert>;
  return success === 'hidden' ? null : <Alert tone={success}>{state.message}</Alert>;
}
