import 'server-only';
import { and, eq, inArray, isNotNull, isNull, lt, lte, gt, or } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, outboxMessages, serverProfiles, type Mailbox, type OutboxMessage } from '@/db/schema';
import { problemOf, type Problem } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { logger } from '@/lib/logger';
import { problemTexts } from '@/lib/mailboxes/status';
import { storedError } from './record-attempt';

/** How long an Idempotency-Key answers with its message. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Finished messages stay listed on their mailbox's page this long. */
const HISTORY_MS = 30 * 24 * 60 * 60 * 1000;
/** Messages handled per sweep and kind, so that one sweep stays short however much waits. */
const BATCH = 500;

export type SweepResult = { requeued: number; unknown: number; expired: number; woken: number };

/** Why a message that waited for its mailbox is failed: the mailbox's state and reason, or the last temporary failure it met. */
function expiryProblem(message: Pick<OutboxMessage, 'error'>, mailbox: Pick<Mailbox, 'address' | 'status' | 'statusReason' | 'outgoing'>, hours: number): Problem {
  if (message.error) return message.error;
  const state = mailbox.outgoing === 'none' ? 'outgoingOff' : mailbox.status;
  const reason = mailbox.statusReason ? problemTexts(mailbox.statusReason).message : '';
  return problemOf('mailbox_not_active', phrase('outbox.failures.expired', { hours, address: mailbox.address, state, reason, explained: reason ? 'yes' : 'no' }));
}

/**
 * What keeps the outbox true however instances stop, run every minute by one instance:
 * - an attempt whose lease ran out before the content went is queued again (nothing was sent);
 *   one whose lease ran out after is failed as unknown (it may have been sent: never twice);
 * - a queued message past its expiry fails with the reason it waited for;
 * - a queued message that is due and whose mailbox sends again gets a job (`enqueue`);
 * - Idempotency-Keys older than their window are forgotten, and old finished messages deleted.
 */
export async function sweepOutbox({ enqueue, now = new Date() }: { enqueue: (messageId: string) => Promise<unknown>; now?: Date }): Promise<SweepResult> {
  const abandoned = and(eq(outboxMessages.status, 'sending'), or(isNull(outboxMessages.leaseUntil), lt(outboxMessages.leaseUntil, now)));
  const requeued = await db
    .update(outboxMessages)
    .set({ status: 'queued', leaseUntil: null, nextAttemptAt: now })
    .where(and(abandoned, isNull(outboxMessages.handoffStartedAt)))
    .returning({ id: outboxMessages.id });
  const unknown = await db
    .update(outboxMessages)
    .set({
      status: 'failed',
      leaseUntil: null,
      content: null,
      finishedAt: now,
      error: storedError(problemOf('delivery_unknown', phrase('outbox.failures.stoppedMidSend')), now),
    })
    .where(and(abandoned, isNotNull(outboxMessages.handoffStartedAt)))
    .returning({ id: outboxMessages.id });
  // A worker that stopped while closing a connection of a message already settled.
  await db
    .update(outboxMessages)
    .set({ leaseUntil: null })
    .where(and(inArray(outboxMessages.status, ['sent', 'failed']), lt(outboxMessages.leaseUntil, now)));

  const expiring = await db
    .select({ message: outboxMessages, mailbox: mailboxes, hours: serverProfiles.queuedMessageExpiryHours })
    .from(outboxMessages)
    .innerJoin(mailboxes, eq(mailboxes.id, outboxMessages.mailboxId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(and(eq(outboxMessages.status, 'queued'), lte(outboxMessages.expiresAt, now)))
    .limit(BATCH);
  for (const { message, mailbox, hours } of expiring) {
    await db
      .update(outboxMessages)
      .set({ status: 'failed', content: null, finishedAt: now, error: storedError(expiryProblem(message, mailbox, hours), now) })
      .where(and(eq(outboxMessages.id, message.id), eq(outboxMessages.status, 'queued')));
  }

  const due = await db
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .innerJoin(mailboxes, eq(mailboxes.id, outboxMessages.mailboxId))
    .where(
      and(
        eq(outboxMessages.status, 'queued'),
        lte(outboxMessages.nextAttemptAt, now),
        gt(outboxMessages.expiresAt, now),
        eq(mailboxes.status, 'active'),
        eq(mailboxes.outgoing, 'server_side'),
      ),
    )
    .orderBy(outboxMessages.nextAttemptAt)
    .limit(BATCH);
  for (const { id } of due) await enqueue(id);

  await db
    .update(outboxMessages)
    .set({ idempotencyKey: null })
    .where(and(isNotNull(outboxMessages.idempotencyKey), lt(outboxMessages.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS))));
  await db
    .delete(outboxMessages)
    .where(and(inArray(outboxMessages.status, ['sent', 'failed']), lt(outboxMessages.createdAt, new Date(now.getTime() - HISTORY_MS))));

  const result = { requeued: requeued.length, unknown: unknown.length, expired: expiring.length, woken: due.length };
  if (result.requeued + result.unknown + result.expired > 0) logger.info('Outbox swept', result);
  return result;
}
