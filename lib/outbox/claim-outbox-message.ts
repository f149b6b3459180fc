import 'server-only';
import { and, count, eq, gt, min, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, outboxMessages, serverProfiles, type Mailbox, type OutboxMessage, type OutgoingContent, type ServerProfile } from '@/db/schema';

/**
 * How long a claim holds a message without being renewed. The worker renews it a few times per
 * period while it sends; a worker that stops (killed, frozen) loses it within this time.
 */
export const LEASE_MS = 15_000;
const RATE_WINDOW_MS = 60_000;

export type Claim =
  | { kind: 'claimed'; message: OutboxMessage & { content: OutgoingContent }; mailbox: Mailbox; profile: ServerProfile }
  /** Sent, failed, or being sent by another worker: nothing to do. */
  | { kind: 'settled' }
  /** Its mailbox does not send now; the sweep wakes it once it does, or fails it when it expires. */
  | { kind: 'waiting_for_mailbox' }
  /** Not before `at`: a retry's backoff, or the mailbox's rate limit. */
  | { kind: 'later'; at: Date }
  /** The profile's connections are all in use. */
  | { kind: 'busy' };

/** Whether a mailbox sends now: active, with its outgoing direction on. */
export function sendsNow(mailbox: Pick<Mailbox, 'status' | 'outgoing'>): boolean {
  return mailbox.status === 'active' && mailbox.outgoing === 'server_side';
}

/**
 * Takes a queued message for one attempt, when everything allows it now. The profile's row is
 * locked for the decision, so that every portal instance counts the same open connections: a
 * message being sent holds one through its lease, and the profile's `maxConcurrentConnections`
 * is never exceeded, wherever the workers run. The mailbox's `sendRatePerMinute` counts the
 * attempts of the last minute the same way.
 */
export async function claimOutboxMessage({ messageId, now = new Date() }: { messageId: string; now?: Date }): Promise<Claim> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ message: outboxMessages, mailbox: mailboxes, profile: serverProfiles })
      .from(outboxMessages)
      .innerJoin(mailboxes, eq(mailboxes.id, outboxMessages.mailboxId))
      .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
      .where(eq(outboxMessages.id, messageId))
      .for('update', { of: outboxMessages });
    if (!row || row.message.status !== 'queued' || !row.message.content || row.message.expiresAt <= now) {
      // An expired message is failed by the sweep, with the reason it waited for.
      return row?.message.status === 'queued' ? { kind: 'waiting_for_mailbox' } : { kind: 'settled' };
    }
    if (row.message.nextAttemptAt > now) return { kind: 'later', at: row.message.nextAttemptAt };
    if (!sendsNow(row.mailbox)) return { kind: 'waiting_for_mailbox' };
    const { profile } = row;
    await tx.select({ id: serverProfiles.id }).from(serverProfiles).where(eq(serverProfiles.id, profile.id)).for('update');
    const [open] = await tx
      .select({ connections: count() })
      .from(outboxMessages)
      .innerJoin(mailboxes, eq(mailboxes.id, outboxMessages.mailboxId))
      .where(and(eq(mailboxes.profileId, profile.id), gt(outboxMessages.leaseUntil, now)));
    if (open!.connections >= profile.maxConcurrentConnections) return { kind: 'busy' };
    const [recent] = await tx
      .select({ attempts: count(), oldest: min(outboxMessages.lastAttemptAt) })
      .from(outboxMessages)
      .where(and(eq(outboxMessages.mailboxId, row.mailbox.id), gt(outboxMessages.lastAttemptAt, new Date(now.getTime() - RATE_WINDOW_MS))));
    if (recent!.attempts >= profile.sendRatePerMinute && recent!.oldest) {
      return { kind: 'later', at: new Date(recent!.oldest.getTime() + RATE_WINDOW_MS) };
    }
    const [claimed] = await tx
      .update(outboxMessages)
      .set({
        status: 'sending',
        attempts: sql`${outboxMessages.attempts} + 1`,
        leaseUntil: new Date(now.getTime() + LEASE_MS),
        lastAttemptAt: now,
        handoffStartedAt: null,
      })
      .where(eq(outboxMessages.id, messageId))
      .returning();
    return { kind: 'claimed', message: claimed as OutboxMessage & { content: OutgoingContent }, mailbox: row.mailbox, profile };
  });
}
