import type { DirectionResult } from '@/db/schema';
import type { Problem } from '@/lib/errors';
import type { RenderedProblem, Text } from '@/lib/i18n/render';

/** How one reader's language renders what lib/ wrote: `useRenderText()` in a client component, `renderText`/`renderProblem` on the server. */
export type Renderer = { text: (text: Text, fallback?: string) => string; problem: (problem: Problem) => RenderedProblem };

type StepWords = { name: string; detail: Text };
type DirectionWords = { error: DirectionResult['error']; steps: StepWords[] };
type RenderedDirection<D extends DirectionWords> = Omit<D, 'steps'> & { steps: (Omit<D['steps'][number], 'detail'> & { detail: string })[] };
/** A test whose words are all strings in one language. */
export type RenderedTest<T extends { incoming: DirectionWords; outgoing: DirectionWords }> = Omit<T, 'incoming' | 'outgoing'> & {
  incoming: RenderedDirection<T['incoming']>;
  outgoing: RenderedDirection<T['outgoing']>;
};

/**
 * A test as its reader reads it: step names (stored as message keys; older rows hold English names,
 * kept as they are) and failures in the reader's language, each failure as `{code, message, hint}`.
 */
export function renderTestWith<T extends { incoming: DirectionWords; outgoing: DirectionWords }>(test: T, render: Renderer): RenderedTest<T> {
  const direction = <D extends DirectionWords>(result: D): RenderedDirection<D> =>
    ({
      ...result,
      error: result.error ? (({ code, message, hint }) => ({ code, message, hint: hint ?? '' }))(render.problem(result.error)) : null,
      steps: result.steps.map((step) => ({ ...step, name: render.text({ key: step.name }, step.name), detail: render.text(step.detail) })),
    }) as RenderedDirection<D>;
  return { ...test, incoming: direction(test.incoming), outgoing: direction(test.outgoing) };
}
