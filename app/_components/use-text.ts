'use client';

import { useTranslations } from 'next-intl';
import type { Problem } from '@/lib/errors';
import { renderProblemWith, renderTextWith, type Catalogue, type RenderedProblem, type Text } from '@/lib/i18n/render';

/**
 * Renders what lib/ wrote (a phrase, a problem, or plain text) in the viewer's language, in a client
 * component that received it as data. Server code does the same with `renderText` and `renderProblem`.
 */
export function useRenderText(): { text: (text: Text, fallback?: string) => string; problem: (problem: Problem) => RenderedProblem } {
  const t = useTranslations() as unknown as Catalogue['translate'] & Pick<Catalogue, 'has'>;
  const catalogue: Catalogue = { has: (key) => t.has(key), translate: (key, values) => t(key, values) };
  return {
    text: (text, fallback) => renderTextWith(catalogue, text, fallback),
    problem: (problem) => renderProblemWith(catalogue, problem),
  };
}
