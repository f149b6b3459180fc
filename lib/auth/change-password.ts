import 'server-only';
import type { User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { verifyPassword } from '@/lib/crypto/passwords';
import { AppError } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { replacePassword } from '@/lib/users/users';
import { clearFailedAttempts, getRetryAfterSeconds, recordFailedAttempt, throttledSignInProblem, throttleSubject, ThrottledError } from './throttle';

/**
 * A person changes their own password by proving the current one. Wrong guesses count against the
 * account exactly as failed sign-ins do, so a borrowed session cannot be used to guess it. Every
 * session of the user ends, this one too: they sign in again with the new password.
 */
export async function changeOwnPassword({ user, currentPassword, newPassword }: { user: User; currentPassword: string; newPassword: string }): Promise<void> {
  if (!user.passwordHash) {
    throw new AppError('CONFLICT', phrase('problems.auth.ssoPassword'));
  }
  const waitSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('account', user.email)] });
  if (waitSeconds > 0) throw new ThrottledError(throttledSignInProblem(waitSeconds), waitSeconds);
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    await recordFailedAttempt({ kind: 'account', value: user.email });
    throw new AppError('INVALID_INPUT', phrase('problems.auth.wrongPassword'), { fields: { currentPassword: [phrase('problems.auth.fields.notCurrentPassword')] } });
  }
  await clearFailedAttempts({ kind: 'account', value: user.email });
  await replacePassword({ actor: userActor(user), userId: user.id, password: newPassword });
}
