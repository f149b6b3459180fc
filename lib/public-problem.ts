import { AppError, ERROR_STATUS, type Problem } from '@/lib/errors';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';

/**
 * What a thrown error tells people, with its HTTP status, hint included; null for every other
 * error, whose text (a database or library message) must never reach them. Both entry-point
 * wrappers (server actions, API routes) answer through this one function.
 */
export function toPublicProblem(error: unknown): { problem: Problem; status: number } | null {
  if (error instanceof AppError) {
    const { code, message, hint, fields, key, values } = error;
    return { problem: { code, message, hint, fields, key, values }, status: error.status };
  }
  // The provider refused or could not be reached: what it said and what to do, as a bad gateway.
  if (error instanceof OAuthFailure) {
    const { message, hint, key, values } = error;
    return { problem: { code: 'UPSTREAM', message, hint, key, values }, status: ERROR_STATUS.UPSTREAM };
  }
  return null;
}
