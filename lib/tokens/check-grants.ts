import 'server-only';
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants } from '@/db/schema';
import { logger } from '@/lib/logger';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { getAccessToken } from './get-access-token';
import { GRANT_CHECK_INTERVAL_MS, refreshDueBySql } from './token-freshness';

/** Every grant is proven at least this often, so a revoked consent shows before mail fails. */
const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

export type GrantToCheck = { mailboxId: string; prove: boolean };

/**
 * Connected mailboxes whose token stops being fresh before the next check (only tokens that live
 * long enough to be refreshed ahead, see token-freshness), or whose grant was not proven for a day.
 */
export async function findGrantsToCheck({ limit = 500 }: { limit?: number } = {}): Promise<GrantToCheck[]> {
  const now = Date.now();
  const nextCheck = new Date(now + GRANT_CHECK_INTERVAL_MS);
  const rows = await db
    .select({ mailboxId: oauthGrants.mailboxId, refreshDue: sql<boolean>`coalesce(${refreshDueBySql(nextCheck)}, false)` })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(
      and(
        eq(mailboxes.connection, 'connected'),
        isNotNull(oauthGrants.refreshToken),
        or(
          refreshDueBySql(nextCheck),
          isNull(oauthGrants.lastCheckedAt),
          lt(oauthGrants.lastCheckedAt, new Date(now - CHECK_EVERY_MS)),
        ),
      ),
    )
    .limit(limit);
  return rows.map((row) => ({ mailboxId: row.mailboxId, prove: !row.refreshDue }));
}

export type GrantCheckResult = 'valid' | 'needs_reconnect' | 'profile_refused' | 'temporary';

/**
 * Refreshes one grant ahead of use, or proves it with a refresh when it was not used for a day.
 * A final failure is recorded by the token service itself; a temporary one is thrown so the job
 * retries it.
 */
export async function checkGrant({ mailboxId, prove }: GrantToCheck): Promise<GrantCheckResult> {
  try {
    // Proving asks for a refresh now; a refresh ahead of use for a token still fresh at the next check.
    await getAccessToken(prove ? { mailboxId, refreshedSince: new Date() } : { mailboxId, freshAt: new Date(Date.now() + GRANT_CHECK_INTERVAL_MS) });
    return 'valid';
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    if (error.reach === 'temporary') throw error;
    logger.info('grant check failed', { mailboxId, code: error.code, reach: error.reach });
    return error.reach === 'mailbox' ? 'needs_reconnect' : 'profile_refused';
  }
}
