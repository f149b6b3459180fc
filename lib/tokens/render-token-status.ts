import type { StoredError } from '@/db/schema';
import { renderProblem } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';

/** A stored problem as the API answers it, in the request's language: `{code, message, hint, at}`, never its key. */
export function renderStoredError(error: StoredError, locale: Locale): Omit<StoredError, 'key' | 'values'> {
  const { code, message, hint } = renderProblem(error, locale);
  return { code, message, hint: hint ?? '', at: error.at };
}

/** A token status (or a row of the list) with its last error in the request's language. */
export function renderTokenStatus<T extends { lastError: StoredError | null }>(status: T, locale: Locale): T {
  return { ...status, lastError: status.lastError ? renderStoredError(status.lastError, locale) : null };
}
