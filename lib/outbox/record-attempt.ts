import 'server-only';
import { and, eq, gt } from 'drizzle-orm';
import { db } from '@/db';
import { outboxMessages, type StoredError } from '@/db/schema';
import type { Problem } from '@/lib/errors';
import { LEASE_MS } from './claim-outbox-message';

// Every write of an attempt names the attempt it belongs to: a worker that lost its lease (frozen
// past it, then woken) cannot overwrite what the next attempt or the sweep decided.

/** One attempt's hold on its message. */
export type AttemptRef = { messageId: string; attempt: number };

const ofAttempt = ({ messageId, attempt }: AttemptRef) => and(eq(outboxMessages.id, messageId), eq(outboxMessages.attempts, attempt));

export function storedError(problem: Problem, at: Date): StoredError {
  const { code, message, hint = '', key, values } = problem;
  return { code, message, hint, at: at.toISOString(), ...(key ? { key } : {}), ...(values ? { values } : {}) };
}

/** Extends the lease while the attempt runs; false once it is no longer this attempt's. */
export async function renewLease(ref: AttemptRef): Promise<boolean> {
  const renewed = await db
    .update(outboxMessages)
    .set({ leaseUntil: new Date(Date.now() + LEASE_MS) })
    .where(and(ofAttempt(ref), eq(outboxMessages.status, 'sending')))
    .returning({ id: outboxMessages.id });
  return renewed.length === 1;
}

/**
 * The point after which the message is never sent again: recorded only while the lease still
 * holds, so that a message the sweep gave to another attempt is never handed over twice.
 */
export async function recordHandoff(ref: AttemptRef): Promise<boolean> {
  const now = new Date();
  const marked = await db
    .update(outboxMessages)
    .set({ handoffStartedAt: now, leaseUntil: new Date(now.getTime() + LEASE_MS) })
    .where(and(ofAttempt(ref), eq(outboxMessages.status, 'sending'), gt(outboxMessages.leaseUntil, now)))
    .returning({ id: outboxMessages.id });
  return marked.length === 1;
}

/** Sent: whatever the sweep concluded meanwhile (an unknown outcome), the server's 250 is the truth. The content is dropped. */
export async function recordSent(ref: AttemptRef, serverResponse: string): Promise<void> {
  const now = new Date();
  await db
    .update(outboxMessages)
    .set({ status: 'sent', serverResponse, error: null, content: null, sentAt: now, finishedAt: now })
    .where(ofAttempt(ref));
}

/** A temporary failure: queued again for `nextAttemptAt`, the failure kept to be read meanwhile. */
export async function recordRetry(ref: AttemptRef, failure: Problem, nextAttemptAt: Date): Promise<void> {
  await db
    .update(outboxMessages)
    .set({ status: 'queued', error: storedError(failure, new Date()), serverResponse: null, nextAttemptAt, leaseUntil: null, handoffStartedAt: null })
    .where(and(ofAttempt(ref), eq(outboxMessages.status, 'sending')));
}

export async function recordFailed(ref: AttemptRef, failure: Problem): Promise<void> {
  const now = new Date();
  await db
    .update(outboxMessages)
    .set({ status: 'failed', error: storedError(failure, now), content: null, finishedAt: now })
    .where(and(ofAttempt(ref), eq(outboxMessages.status, 'sending')));
}

/** The attempt's connection is closed: its place in the profile's connections is free. */
export async function releaseLease(ref: AttemptRef): Promise<void> {
  await db.update(outboxMessages).set({ leaseUntil: null }).where(ofAttempt(ref));
}
