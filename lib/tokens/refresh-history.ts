import 'server-only';
import { desc, eq, sql } from 'drizzle-orm';
import { db } from '@/db';
import { oauthGrants, tokenRefreshes, type StoredError } from '@/db/schema';
import type { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { storedFailure } from './stored-failure';

/** How many refresh attempts a mailbox's timeline keeps: about a day of hourly refreshes. */
export const REFRESHES_KEPT = 24;

export type RefreshAttempt = { at: Date; ok: boolean; rotated: boolean; error: (StoredError & { temporary: boolean }) | null };

/**
 * Notes one refresh attempt in the mailbox's ring: the grant's attempt counter picks the slot, so
 * each attempt overwrites the oldest one kept.
 */
export async function recordRefreshAttempt(
  mailboxId: string,
  outcome: { ok: true; rotated: boolean } | { ok: false; failure: OAuthFailure },
): Promise<void> {
  const [grant] = await db
    .update(oauthGrants)
    .set({ refreshAttempts: sql`${oauthGrants.refreshAttempts} + 1` })
    .where(eq(oauthGrants.mailboxId, mailboxId))
    .returning({ attempts: oauthGrants.refreshAttempts });
  if (!grant) return;
  const at = new Date();
  const values = {
    at,
    ok: outcome.ok,
    rotated: outcome.ok && outcome.rotated,
    error: outcome.ok
      ? null
      : { ...storedFailure(outcome.failure, at), temporary: outcome.failure.reach === 'temporary' },
  };
  await db
    .insert(tokenRefreshes)
    .values({ mailboxId, slot: grant.attempts % REFRESHES_KEPT, ...values })
    .onConflictDoUpdate({ target: [tokenRefreshes.mailboxId, tokenRefreshes.slot], set: values });
}

/** The refresh attempts kept for a mailbox, newest first. */
export function findRefreshAttempts(mailboxId: string): Promise<RefreshAttempt[]> {
  return db
    .select({ at: tokenRefreshes.at, ok: tokenRefreshes.ok, rotated: tokenRefreshes.rotated, error: tokenRefreshes.error })
    .from(tokenRefreshes)
    .where(eq(tokenRefreshes.mailboxId, mailboxId))
    .orderBy(desc(tokenRefreshes.at));
}
