import 'server-only';
import { eq, inArray } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { mailboxSystemUses, users } from '@/db/schema';
import type { LastSystemUse } from './token-status';

/** Records that a business system just used the mailbox (fetched its access token): the last use overwrites the one before. */
export async function recordSystemUse(executor: Executor, { mailboxId, serviceId, at = new Date() }: { mailboxId: string; serviceId: string; at?: Date }): Promise<void> {
  await executor
    .insert(mailboxSystemUses)
    .values({ mailboxId, serviceId, usedAt: at })
    .onConflictDoUpdate({ target: mailboxSystemUses.mailboxId, set: { serviceId, usedAt: at } });
}

/**
 * When a business system last used each of these mailboxes, and which one, in one query by their
 * ids: token status pages and answers add it to the rows they read. Mailboxes never used are absent.
 */
export async function findLastSystemUses(mailboxIds: string[]): Promise<Map<string, NonNullable<LastSystemUse>>> {
  if (mailboxIds.length === 0) return new Map();
  const rows = await db
    .select({ mailboxId: mailboxSystemUses.mailboxId, at: mailboxSystemUses.usedAt, serviceId: mailboxSystemUses.serviceId, name: users.name, email: users.email })
    .from(mailboxSystemUses)
    .leftJoin(users, eq(users.id, mailboxSystemUses.serviceId))
    .where(inArray(mailboxSystemUses.mailboxId, mailboxIds));
  return new Map(rows.map((row) => [row.mailboxId, { at: row.at.toISOString(), serviceId: row.serviceId, service: row.name ?? row.email }]));
}

/** The rows of a token status page or answer, each with its mailbox's last use by a business system (or null). */
export async function withLastSystemUse<T extends { mailboxId: string }>(rows: T[]): Promise<(T & { lastSystemUse: LastSystemUse })[]> {
  const uses = await findLastSystemUses(rows.map((row) => row.mailboxId));
  return rows.map((row) => ({ ...row, lastSystemUse: uses.get(row.mailboxId) ?? null }));
}

/** One mailbox's last use by a business system, or null. */
export async function getLastSystemUse(mailboxId: string): Promise<LastSystemUse> {
  return (await findLastSystemUses([mailboxId])).get(mailboxId) ?? null;
}
