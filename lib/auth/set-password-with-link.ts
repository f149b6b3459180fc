import 'server-only';
import { AppError } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { setPasswordWithLink } from '@/lib/users/password-links';
import { getRetryAfterSeconds, recordFailedAttempt, throttledSignInProblem, throttleSubject, ThrottledError } from './throttle';

const REFUSED = {
  unknown: 'problems.auth.linkUnknown',
  expired: 'problems.auth.linkExpired',
  used: 'problems.auth.linkUsed',
} as const;

/**
 * Sets a password through an invitation or reset link, throttled like sign-in: a link that does not
 * work counts as a failed attempt of the caller's address, so links cannot be guessed at speed.
 * Answers the email to sign in with.
 */
export async function setPasswordThroughLink({ token, password, address }: { token: string; password: string; address: string }): Promise<{ email: string }> {
  const waitSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('address', address)] });
  if (waitSeconds > 0) throw new ThrottledError(throttledSignInProblem(waitSeconds), waitSeconds);
  const outcome = await setPasswordWithLink({ token, password });
  if (outcome.ok) return { email: outcome.email };
  const wait = await recordFailedAttempt({ kind: 'address', value: address });
  if (wait > 0) throw new ThrottledError(throttledSignInProblem(wait), wait);
  throw new AppError(outcome.reason === 'unknown' ? 'NOT_FOUND' : 'CONFLICT', phrase(REFUSED[outcome.reason]));
}

/** Why a link no longer works, as its page says on arrival. */
export function refusedLinkMessage(reason: keyof typeof REFUSED): Phrase {
  return phrase(`${REFUSED[reason]}.message`);
}
