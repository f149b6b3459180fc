import 'server-only';
import { db } from '@/db';
import type { User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError, notFound } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { checkGrant, type GrantCheckResult } from './check-grants';


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
}): Promise<{ result: GrantCheckResult; message: Phrase }> {
  if (viewer.role !== 'admin' && viewer.role !== 'support') throw new AppError('FORBIDDEN', phrase('tokens.problems.checkForbidden'));
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.connection !== 'connected') {
    throw new AppError('CONFLICT', phrase('tokens.problems.nothingToCheck'));
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
  return { result, message: phrase(`tokens.check.${result}`) };
}
