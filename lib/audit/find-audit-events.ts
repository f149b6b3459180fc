import 'server-only';
import { and, desc, eq, lt } from 'drizzle-orm';
import { db } from '@/db';
import { auditEvents, type AuditEvent } from '@/db/schema';

/** Newest first; the cursor is the id of the last event of the previous page. */
export async function findAuditEvents({
  limit,
  cursor,
  mailboxId,
  profileId,
}: {
  limit: number;
  cursor?: number;
  mailboxId?: string;
  profileId?: string;
}): Promise<{ events: AuditEvent[]; nextCursor: number | null }> {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        cursor ? lt(auditEvents.id, cursor) : undefined,
        mailboxId ? eq(auditEvents.mailboxId, mailboxId) : undefined,
        profileId ? eq(auditEvents.profileId, profileId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const events = rows.slice(0, limit);
  return { events, nextCursor: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
}
