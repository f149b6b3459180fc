import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '@/db';
import { mailboxes, type Mailbox, type StoredError } from '@/db/schema';
import { SYSTEM_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { transition, transitionAfterTokenRefusal, type MailboxState, type TestTransition } from './status';

// The mailbox's side of what other domains decide (a connect, a disconnect, a refused sign-in, a
// test's verdict), written here so that every write to `mailboxes` goes through the status machine.

/**
 * A connect stored its grant: the mailbox turns connected as `account`, only if it is still the one
 * checked (same owner, same profile). False when it changed hands meanwhile.
 */
export async function recordMailboxConnected(
  executor: Executor,
  { mailbox, account, profileId }: { mailbox: Mailbox; account: string; profileId: string },
): Promise<boolean> {
  const [connected] = await executor
    .update(mailboxes)
    .set({ ...transition(mailbox, 'connected'), connectedAs: account })
    .where(and(eq(mailboxes.id, mailbox.id), eq(mailboxes.ownerId, mailbox.ownerId), eq(mailboxes.profileId, profileId)))
    .returning({ id: mailboxes.id });
  return Boolean(connected);
}

/** The mailbox forgets its sign-in (tokens or password) and goes back to not connected. */
export async function recordMailboxDisconnected(executor: Executor, mailbox: MailboxState & Pick<Mailbox, 'id'>): Promise<void> {
  await executor
    .update(mailboxes)
    .set({ ...transition(mailbox, 'disconnected'), connectedAs: null, password: null })
    .where(eq(mailboxes.id, mailbox.id));
}

/** The mailbox's stored sign-in no longer works: a connected mailbox turns to needs reconnect, audited once. */
export async function recordNeedsReconnect(executor: Executor, mailboxId: string, reason: StoredError): Promise<void> {
  const [mailbox] = await executor.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)).for('update');
  if (!mailbox || mailbox.connection !== 'connected') return;
  await executor.update(mailboxes).set(transitionAfterTokenRefusal(mailbox, reason)).where(eq(mailboxes.id, mailbox.id));
  await recordAuditEvent(executor, {
    actor: SYSTEM_ACTOR,
    action: 'mailbox.needs_reconnect',
    target: { type: 'mailbox', id: mailbox.id },
    mailboxId: mailbox.id,
    profileId: mailbox.profileId,
    detail: { code: reason.code, message: reason.message },
  });
}

/** A test's verdict, from transitionAfterTest, with when it finished. */
export async function recordMailboxTestVerdict(
  executor: Executor,
  { mailboxId, patch, finishedAt }: { mailboxId: string; patch: TestTransition['patch']; finishedAt: Date },
): Promise<void> {
  await executor.update(mailboxes).set({ ...patch, lastTestAt: finishedAt }).where(eq(mailboxes.id, mailboxId));
}
