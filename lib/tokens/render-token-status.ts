import type { StoredError } from '@/db/schema';
import { renderProblem } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';
import { renderText } from '@/lib/i18n/text';
import type { OverviewFigure } from './overview';

/** A stored problem as the API answers it, in the request's language: `{code, message, hint, at}`, never its key. */
export function renderStoredError(error: StoredError, locale: Locale): Omit<StoredError, 'key' | 'values'> {
  const { code, message, hint } = renderProblem(error, locale);
  return { code, message, hint: hint ?? '', at: error.at };
}

/** A token status (or a row of the list) with its last error in the request's language. */
export function renderTokenStatus<T extends { lastError: StoredError | null }>(status: T, locale: Locale): T {
  return { ...status, lastError: status.lastError ? renderStoredError(status.lastError, locale) : null };
}

/** An overview figure's label in the request's language; a figure the messages do not name keeps its English label. */
export function renderFigureLabel(figure: Pick<OverviewFigure, 'key' | 'label'>, locale: Locale): string {
  return renderText({ key: `tokenStatus.figures.${figure.key}` }, locale, figure.label);
}
