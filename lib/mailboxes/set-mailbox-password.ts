import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { secretPlace } from '@/lib/crypto/secret-place';
import { encryptSecret } from '@/lib/crypto/secrets';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { getMailbox, type MailboxRow } from './mailboxes';
import { transition } from './status';

/** Stores the password or app password of a password-profile mailbox, encrypted, write-only. */
export async function setMailboxPassword({ viewer, mailboxId, password }: { viewer: User; mailboxId: string; password: string }): Promise<MailboxRow> {
  if (viewer.role === 'support') throw new AppError('FORBIDDEN', phrase('mailbox.problems.passwordBySupport'));
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.profileAuthType !== 'password') {
    throw new AppError('CONFLICT', phrase('mailbox.problems.passwordForOAuth'));
  }
  await db.transaction(async (tx) => {
    await tx
      .update(mailboxes)
      .set({
        ...transition(mailbox, 'connected'),
        password: encryptSecret(password, secretPlace(mailboxes.password, mailbox.id)),
        connectedAs: mailbox.address,
      })
      .where(eq(mailboxes.id, mailbox.id));
    await recordAuditEvent(tx, {
      actor: userActor(viewer),
      action: mailbox.connection === 'not_connected' ? 'mailbox.password_set' : 'mailbox.password_replaced',
      target: { type: 'mailbox', id: mailbox.id },
      mailboxId: mailbox.id,
      profileId: mailbox.profileId,
    });
  });
  return (await getMailbox({ viewer, id: mailbox.id }))!;
}
