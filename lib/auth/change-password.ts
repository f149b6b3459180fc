import 'server-only';
import type { User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { verifyPassword } from '@/lib/crypto/passwords';
import { AppError } from '@/lib/errors';
import { replacePassword } from '@/lib/users/users';
import { throttledSignInMessage } from './sign-in-messages';
import { clearFailedAttempts, getRetryAfterSeconds, recordFailedAttempt, throttleSubject, ThrottledError } from './throttle';

/**
 * A person changes their own password by proving the current one. Wrong guesses count against the
 * account exactly as failed sign-ins do, so a borrowed session cannot be used to guess it. Every
 * session of the user ends, this one too: they sign in again with the new password.
 */
export async function changeOwnPassword({ user, currentPassword, newPassword }: { user: User; currentPassword: string; newPassword: string }): Promise<void> {
  if (!user.passwordHash) {
    throw new AppError('CONFLICT', 'You sign in through single sign-on: your password is changed at your identity provider.');
  }
  const waitSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('account', user.email)] });
  if (waitSeconds > 0) throw new ThrottledError(throttledSignInMessage(waitSeconds), waitSeconds);
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    await recordFailedAttempt({ kind: 'account', value: user.email });
    throw new AppError('INVALID_INPUT', 'Your password was not changed.', { fields: { currentPassword: ['This is not your current password.'] } });
  }
  await clearFailedAttempts({ kind: 'account', value: user.email });
  await replacePassword({ actor: userActor(user), userId: user.id, password: newPassword });
}
