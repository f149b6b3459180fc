import 'server-only';
import { db } from '@/db';
import type { User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError, notFound } from '@/lib/errors';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { checkGrant, type GrantCheckResult } from './check-grants';

const CHECK_MESSAGES: Record<GrantCheckResult, string> = {
  valid: 'The grant works: the access token was refreshed.',
  needs_reconnect: 'The provider refused the grant: the mailbox needs a reconnect by its owner.',
  profile_refused: 'The provider refused the profile’s client: an admin fixes the profile.',
  temporary: 'The provider could not be reached: try again in a moment.',
};

/**
 * "Check now": support or an admin proves a connected mailbox's grant with a refresh, the same
 * check the background job runs, and the result is audited on the mailbox.
 */
export async function checkMailboxGrant({
  viewer,
  mailboxId,
}: {
  viewer: Pick<User, 'id' | 'role' | 'email'>;
  mailboxId: string;
}): Promise<{ result: GrantCheckResult; message: string }> {
  if (viewer.role !== 'admin' && viewer.role !== 'support') throw new AppError('FORBIDDEN', 'Only support and admins check a mailbox’s grant.');
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.connection !== 'connected') {
    throw new AppError('CONFLICT', 'This mailbox has no working grant to check.', {
      hint: 'Its owner connects it first: send them a reconnect link, or they click “Connect” on the mailbox page.',
    });
  }
  // A provider's refusal (OAuthFailure) reaches the caller as a bad gateway with its hint, through toPublicProblem.
  const result = await checkGrant({ mailboxId, prove: true });
  await recordAuditEvent(db, {
    actor: userActor(viewer),
    action: 'mailbox.check',
    target: { type: 'mailbox', id: mailboxId },
    mailboxId,
    profileId: mailbox.profileId,
    detail: { result },
  });
  return { result, message: CHECK_MESSAGES[result] };
}
