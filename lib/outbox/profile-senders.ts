import 'server-only';
import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, outboxMessages } from '@/db/schema';

/** The window a profile's senders are counted over. */
export const SENDERS_WINDOW_DAYS = 7;

/** A mailbox of the profile that business systems sent through within the window, and how that went. */
export type ProfileSender = {
  mailboxId: string;
  address: string;
  sent: number;
  failed: number;
  /** Queued or being sent now. */
  waiting: number;
  /** Failed among those that ended, 0 to 1; null when none ended yet. */
  failureRate: number | null;
};

/**
 * The mailboxes of a profile that sent within the last week, the busiest first, with their failure
 * rate: one grouped read along the outbox's (mailbox, created) index, never the messages themselves.
 */
export async function findProfileSenders({ profileId, now = new Date(), limit = 20 }: { profileId: string; now?: Date; limit?: number }): Promise<ProfileSender[]> {
  const since = new Date(now.getTime() - SENDERS_WINDOW_DAYS * 24 * 60 * 60 * 1000);
  const total = count();
  const rows = await db
    .select({
      mailboxId: mailboxes.id,
      address: mailboxes.address,
      sent: sql<number>`count(*) filter (where ${outboxMessages.status} = 'sent')`.mapWith(Number),
      failed: sql<number>`count(*) filter (where ${outboxMessages.status} = 'failed')`.mapWith(Number),
      total,
    })
    .from(outboxMessages)
    .innerJoin(mailboxes, eq(mailboxes.id, outboxMessages.mailboxId))
    .where(and(eq(mailboxes.profileId, profileId), gte(outboxMessages.createdAt, since)))
    .groupBy(mailboxes.id, mailboxes.address)
    .orderBy(desc(total), mailboxes.address)
    .limit(limit);
  return rows.map(({ total: all, ...row }) => {
    const ended = row.sent + row.failed;
    return { ...row, waiting: all - ended, failureRate: ended === 0 ? null : row.failed / ended };
  });
}
