import 'server-only';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { db } from '@/db';
import { auditEvents } from '@/db/schema';

/**
 * When the mailbox's stored password was last entered, from the audit log that records each entry:
 * pages say "set on …" and never show any part of the password itself.
 */
export async function getPasswordSetAt({ mailboxId }: { mailboxId: string }): Promise<Date | null> {
  const [row] = await db
    .select({ at: auditEvents.at })
    .from(auditEvents)
    .where(and(eq(auditEvents.mailboxId, mailboxId), inArray(auditEvents.action, ['mailbox.password_set', 'mailbox.password_replaced'])))
    .orderBy(desc(auditEvents.at))
    .limit(1);
  return row?.at ?? null;
}
