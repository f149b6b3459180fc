import 'server-only';
import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants } from '@/db/schema';
import { logger } from '@/lib/logger';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { getAccessToken } from './get-access-token';

/** Tokens expiring within this are refreshed ahead of use. */
const AHEAD_MS = 15 * 60 * 1000;
/** Every grant is proven at least this often, so a revoked consent shows before mail fails. */
const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

export type GrantToCheck = { mailboxId: string; prove: boolean };

/** Connected mailboxes whose token is about to expire, or whose grant was not proven for a day. */
export async function findGrantsToCheck({ limit = 500 }: { limit?: number } = {}): Promise<GrantToCheck[]> {
  const now = Date.now();
  const rows = await db
    .select({ mailboxId: oauthGrants.mailboxId, expiresAt: oauthGrants.accessTokenExpiresAt })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(
      and(
        eq(mailboxes.connection, 'connected'),
        isNotNull(oauthGrants.refreshToken),
        or(
          lt(oauthGrants.accessTokenExpiresAt, new Date(now + AHEAD_MS)),
          isNull(oauthGrants.lastCheckedAt),
          lt(oauthGrants.lastCheckedAt, new Date(now - CHECK_EVERY_MS)),
        ),
      ),
    )
    .limit(limit);
  return rows.map((row) => ({ mailboxId: row.mailboxId, prove: !row.expiresAt || row.expiresAt.getTime() > now + AHEAD_MS }));
}

export type GrantCheckResult = 'valid' | 'needs_reconnect' | 'profile_refused' | 'temporary';

/**
 * Refreshes one grant ahead of use, or proves it with a refresh when it was not used for a day.
 * A final failure is recorded by the token service itself; a temporary one is thrown so the job
 * retries it.
 */
export async function checkGrant({ mailboxId, prove }: GrantToCheck): Promise<GrantCheckResult> {
  try {
    await getAccessToken({ mailboxId, refreshedSince: prove ? new Date() : undefined });
    return 'valid';
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    if (error.reach === 'temporary') throw error;
    logger.info('grant check failed', { mailboxId, code: error.code, reach: error.reach });
    return error.reach === 'mailbox' ? 'needs_reconnect' : 'profile_refused';
  }
}
