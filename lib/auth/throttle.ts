import 'server-only';
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { db } from '@/db';
import { authThrottles } from '@/db/schema';
import { SYSTEM_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { logger } from '@/lib/logger';

/** Refused without looking: the caller failed too often and must wait `retryAfterSeconds`. */
export class ThrottledError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: Phrase, retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A throttled sign-in's wait as a problem, for the forms that refuse it (a password change, a password link). */
export function throttledSignInProblem(retryAfterSeconds: number): Phrase {
  return retryAfterSeconds < 120
    ? phrase('problems.auth.throttledSeconds', { seconds: retryAfterSeconds })
    : phrase('problems.auth.throttledMinutes', { minutes: Math.ceil(retryAfterSeconds / 60) });
}

export type ThrottleKind = 'account' | 'address' | 'api-key';

/**
 * Failures allowed before delays begin. Many people may share one address (an office behind NAT),
 * so addresses get more room than one account does.
 */
const FREE_FAILURES: Record<ThrottleKind, number> = { account: 5, address: 20, 'api-key': 20 };
const FIRST_DELAY_SECONDS = 1;
const MAX_DELAY_SECONDS = 15 * 60;
/** A subject that has not failed for this long starts again from zero. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export function throttleSubject(kind: ThrottleKind, value: string): string {
  return `${kind}:${value.trim().toLowerCase()}`;
}

/** 1 s after the first failure past the free ones, then doubling up to 15 minutes. */
export function delayAfterFailures(kind: ThrottleKind, failures: number): number {
  const excess = failures - FREE_FAILURES[kind];
  if (excess <= 0) return 0;
  return Math.min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** Math.min(excess - 1, 30));
}

/** Seconds the caller must still wait before any of these subjects may try again, or 0. */
export async function getRetryAfterSeconds({ subjects, now = new Date() }: { subjects: string[]; now?: Date }): Promise<number> {
  const rows = await db
    .select({ blockedUntil: authThrottles.blockedUntil })
    .from(authThrottles)
    .where(and(inArray(authThrottles.subject, subjects), gt(authThrottles.blockedUntil, now)));
  const latest = Math.max(0, ...rows.map((row) => row.blockedUntil!.getTime()));
  return latest > now.getTime() ? Math.ceil((latest - now.getTime()) / 1000) : 0;
}

/**
 * Counts one failed attempt for a subject; past the free failures it blocks the subject for a
 * growing delay, and audits and logs that lockout. Answers the seconds to wait (0: not blocked).
 */
export async function recordFailedAttempt({
  kind,
  value,
  now = new Date(),
}: {
  kind: ThrottleKind;
  value: string;
  now?: Date;
}): Promise<number> {
  const subject = throttleSubject(kind, value);
  const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
  // One statement, so that concurrent failures on several portal instances each count.
  const [row] = await db
    .insert(authThrottles)
    .values({ subject, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: authThrottles.subject,
      set: {
        failures: sql`case when ${authThrottles.lastFailureAt} < ${forgetBefore.toISOString()}::timestamptz then 1 else ${authThrottles.failures} + 1 end`,
        lastFailureAt: now,
      },
    })
    .returning({ failures: authThrottles.failures });
  const failures = row!.failures;
  const delaySeconds = delayAfterFailures(kind, failures);
  if (delaySeconds === 0) return 0;

  const blockedUntil = new Date(now.getTime() + delaySeconds * 1000);
  await db.transaction(async (tx) => {
    await tx
      .update(authThrottles)
      .set({ blockedUntil: sql`greatest(${authThrottles.blockedUntil}, ${blockedUntil.toISOString()}::timestamptz)` })
      .where(eq(authThrottles.subject, subject));
    await recordAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: 'auth.lockout',
      target: { type: kind === 'account' ? 'account' : 'address', id: null },
      detail: { kind, [kind === 'account' ? 'email' : 'address']: value, failures, retryAfterSeconds: delaySeconds },
    });
  });
  logger.warn('attempts throttled after repeated failures', { kind, subject, failures, retryAfterSeconds: delaySeconds });
  return delaySeconds;
}

/** A success forgets the subject's failures (an account, never an address others may share). */
export async function clearFailedAttempts({ kind, value }: { kind: ThrottleKind; value: string }): Promise<void> {
  await db.delete(authThrottles).where(eq(authThrottles.subject, throttleSubject(kind, value)));
}
