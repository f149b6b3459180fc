import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import { db } from '@/db';
import { isUniqueViolation } from '@/db/errors';
import { outboxMessages, serverProfiles, type OutboxMessage } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { describeError, logger } from '@/lib/logger';
import { getMailbox, profileOf, type Viewer } from '@/lib/mailboxes/mailboxes';
import { nextStep, problemTexts } from '@/lib/mailboxes/status';
import type { OutgoingMessageInput } from '@/lib/validations/outgoing-message';
import { sendsNow } from './claim-outbox-message';
import { newMessageIdHeader } from './compose-message';
import { enqueueOutboxSend } from './outbox-jobs';
import { IDEMPOTENCY_WINDOW_MS } from './sweep-outbox';

export type QueuedMessage = { messageId: string; status: 'queued' };

/** The message a key already queued within its window, if any. */
async function findByIdempotencyKey(requestedById: string, key: string, now: Date): Promise<Pick<OutboxMessage, 'id' | 'mailboxId' | 'requestHash'> | null> {
  const [row] = await db
    .select({ id: outboxMessages.id, mailboxId: outboxMessages.mailboxId, requestHash: outboxMessages.requestHash })
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.requestedById, requestedById),
        eq(outboxMessages.idempotencyKey, key),
        gt(outboxMessages.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)),
      ),
    );
  return row ?? null;
}

/** The first answer again for the same request; a key reused for another request or mailbox is refused. */
function answerAgain(existing: Pick<OutboxMessage, 'id' | 'mailboxId' | 'requestHash'>, mailboxId: string, requestHash: string): QueuedMessage {
  if (existing.mailboxId !== mailboxId || existing.requestHash !== requestHash) {
    throw new AppError('CONFLICT', phrase('problems.outbox.idempotencyKeyReused'));
  }
  return { messageId: existing.id, status: 'queued' };
}

/**
 * Queues a message to send through a mailbox the viewer may reach (another owner's is not found),
 * and wakes its job. Only a mailbox that sends now takes it (409 with where it stands and its next
 * step). With an Idempotency-Key, the same request within 24 hours answers the same message and
 * queues nothing; the key is the caller's own, never shared with another user's.
 */
export async function queueOutgoingMessage({
  viewer,
  mailboxId,
  input,
  idempotencyKey,
}: {
  viewer: Viewer;
  mailboxId: string;
  input: OutgoingMessageInput;
  idempotencyKey: string | null;
}): Promise<QueuedMessage> {
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  const now = new Date();
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(viewer.id, idempotencyKey, now);
    if (existing) return answerAgain(existing, mailbox.id, requestHash);
  }
  if (!sendsNow(mailbox)) {
    const reason = mailbox.statusReason ? problemTexts(mailbox.statusReason).message : '';
    const state = mailbox.outgoing === 'none' ? 'outgoingOff' : mailbox.status;
    throw new AppError(
      'CONFLICT',
      phrase('problems.outbox.mailboxNotSending', { address: mailbox.address, state, reason, explained: reason ? 'yes' : 'no', nextStep: nextStep(mailbox, profileOf(mailbox)).label }),
    );
  }
  const [profile] = await db.select({ expiryHours: serverProfiles.queuedMessageExpiryHours }).from(serverProfiles).where(eq(serverProfiles.id, mailbox.profileId));
  const id = randomUUID();
  try {
    await db.transaction(async (tx) => {
      // A key past its window is free again (the sweep forgets such keys too, once a minute).
      if (idempotencyKey) {
        await tx
          .update(outboxMessages)
          .set({ idempotencyKey: null })
          .where(
            and(
              eq(outboxMessages.requestedById, viewer.id),
              eq(outboxMessages.idempotencyKey, idempotencyKey),
              lte(outboxMessages.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)),
            ),
          );
      }
      await tx.insert(outboxMessages).values({
        id,
        mailboxId: mailbox.id,
        requestedById: viewer.id,
        idempotencyKey,
        requestHash,
        recipients: input.to.map(({ address }) => address),
        subject: input.subject,
        content: input,
        messageIdHeader: newMessageIdHeader(mailbox.address, id),
        nextAttemptAt: now,
        expiresAt: new Date(now.getTime() + profile!.expiryHours * 60 * 60 * 1000),
        createdAt: now,
      });
    });
  } catch (error) {
    // The same key sent twice at once: the other request queued it.
    if (!idempotencyKey || !isUniqueViolation(error)) throw error;
    const existing = await findByIdempotencyKey(viewer.id, idempotencyKey, now);
    if (!existing) throw error;
    return answerAgain(existing, mailbox.id, requestHash);
  }
  // The message is queued: a job that fails to start now is started by the sweep within a minute.
  await enqueueOutboxSend(id).catch((error: unknown) => logger.warn('Could not start an outgoing message’s job', { messageId: id, error: describeError(error) }));
  return { messageId: id, status: 'queued' };
}
