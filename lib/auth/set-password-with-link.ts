import 'server-only';
import { AppError } from '@/lib/errors';
import { setPasswordWithLink } from '@/lib/users/password-links';
import { throttledSignInMessage } from './sign-in-messages';
import { getRetryAfterSeconds, recordFailedAttempt, throttleSubject, ThrottledError } from './throttle';

const REFUSED = {
  unknown: 'This link is not valid. Ask your Mailroom admin for a new one.',
  expired: 'This link has expired, so nothing was changed. Ask your Mailroom admin for a new one.',
  used: 'This link was already used, so nothing was changed. Sign in with the password you chose, or ask your Mailroom admin for a new link.',
} as const;

/**
 * Sets a password through an invitation or reset link, throttled like sign-in: a link that does not
 * work counts as a failed attempt of the caller's address, so links cannot be guessed at speed.
 * Answers the email to sign in with.
 */
export async function setPasswordThroughLink({ token, password, address }: { token: string; password: string; address: string }): Promise<{ email: string }> {
  const waitSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('address', address)] });
  if (waitSeconds > 0) throw new ThrottledError(throttledSignInMessage(waitSeconds), waitSeconds);
  const outcome = await setPasswordWithLink({ token, password });
  if (outcome.ok) return { email: outcome.email };
  const wait = await recordFailedAttempt({ kind: 'address', value: address });
  if (wait > 0) throw new ThrottledError(throttledSignInMessage(wait), wait);
  throw new AppError(outcome.reason === 'unknown' ? 'NOT_FOUND' : 'CONFLICT', REFUSED[outcome.reason]);
}

/** Why a link no longer works, as its page says on arrival. */
export function refusedLinkMessage(reason: keyof typeof REFUSED): string {
  return REFUSED[reason];
}
