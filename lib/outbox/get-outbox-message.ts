import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import { db } from '@/db';
import { outboxMessages, type OutboxMessage } from '@/db/schema';
import { AppError, notFound, renderProblem } from '@/lib/errors';
import type { Reader } from '@/lib/i18n/text';
import { phrase } from '@/lib/i18n/text';
import { getMailbox, type Viewer } from '@/lib/mailboxes/mailboxes';

export type OutboxMessageStatus = {
  messageId: string;
  status: OutboxMessage['status'];
  attempts: number;
  serverResponse: string | null;
  messageIdHeader: string;
  /** Why it failed; while queued again after a temporary failure, what that attempt met. */
  error: { code: string; message: string; hint: string } | null;
  createdAt: string;
  sentAt: string | null;
};

export function renderOutboxMessage(message: OutboxMessage, reader: Reader): OutboxMessageStatus {
  const error = message.status === 'sent' || !message.error ? null : renderProblem(message.error, reader);
  return {
    messageId: message.id,
    status: message.status,
    attempts: message.attempts,
    serverResponse: message.serverResponse,
    messageIdHeader: message.messageIdHeader,
    error: error ? { code: error.code, message: error.message, hint: error.hint ?? '' } : null,
    createdAt: message.createdAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
  };
}

/** One message sent through a mailbox the viewer may reach, in the reader's words; another owner's is not found. */
export async function getOutboxMessage({ viewer, mailboxId, messageId, reader }: { viewer: Viewer; mailboxId: string; messageId: string; reader: Reader }): Promise<OutboxMessageStatus> {
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  const [message] = await db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.id, messageId), eq(outboxMessages.mailboxId, mailbox.id)));
  if (!message) throw new AppError('NOT_FOUND', phrase('problems.outbox.messageNotFound'));
  return renderOutboxMessage(message, reader);
}

export type SentLately = Pick<OutboxMessage, 'id' | 'recipients' | 'subject' | 'status' | 'createdAt' | 'sentAt' | 'attempts'> & { errorCode: string | null };

/** The mailbox's last messages from business systems, newest first, for its page (which checked who may see it). */
export async function findSentLately({ mailboxId, limit = 10 }: { mailboxId: string; limit?: number }): Promise<SentLately[]> {
  const rows = await db
    .select({
      id: outboxMessages.id,
      recipients: outboxMessages.recipients,
      subject: outboxMessages.subject,
      status: outboxMessages.status,
      createdAt: outboxMessages.createdAt,
      sentAt: outboxMessages.sentAt,
      attempts: outboxMessages.attempts,
      error: outboxMessages.error,
    })
    .from(outboxMessages)
    .where(eq(outboxMessages.mailboxId, mailboxId))
    .orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id))
    .limit(limit);
  return rows.map(({ error, ...row }) => ({ ...row, errorCode: row.status === 'failed' ? (error?.code ?? null) : null }));
}
