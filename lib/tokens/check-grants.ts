import 'server-only';
import { and, asc, count, eq, gt, isNotNull, isNull, lt, lte, not, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import type { JobContext } from '@/lib/jobs/define-job';
import { logger } from '@/lib/logger';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { getAccessToken } from './get-access-token';
import { GRANT_CHECK_INTERVAL_MS, MAX_REFRESH_MARGIN_MS, refreshDueBySql } from './token-freshness';

/** Every grant is proven at least this often, so a revoked consent shows before mail fails. */
const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
/** Grants read at once: a run pages through the due ones, so its memory does not grow with the table. */
const PAGE_SIZE = 1_000;
/** Proofs a run sends at least, so that a small deployment proves a new grant at the next run. */
const MIN_PROOFS_PER_RUN = 500;

export type GrantToCheck = { mailboxId: string; prove: boolean };
export type ScheduledGrantCheck = GrantToCheck & { startAfter: Date };

const checkable = and(eq(mailboxes.connection, 'connected'), isNotNull(oauthGrants.refreshToken));

/**
 * Refreshes due before `nextCheck` (only tokens that live long enough to be refreshed ahead, see
 * token-freshness), soonest expiry first, a page after `after`. The expiry bound lets PostgreSQL
 * read them along the expiry index: a token fresh until the next check expires at most the
 * largest refresh margin after it. Expiries are carried as PostgreSQL's text, to the microsecond.
 */
async function findRefreshesDue({ nextCheck, after }: { nextCheck: Date; after: { expiresAt: string; mailboxId: string } | null }) {
  const expiresAt = sql<string>`${oauthGrants.accessTokenExpiresAt}::text`;
  return db
    .select({ mailboxId: oauthGrants.mailboxId, expiresAt })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(
      and(
        checkable,
        refreshDueBySql(nextCheck),
        lte(oauthGrants.accessTokenExpiresAt, new Date(nextCheck.getTime() + MAX_REFRESH_MARGIN_MS)),
        after
          ? or(
              sql`${oauthGrants.accessTokenExpiresAt} > ${after.expiresAt}::timestamptz`,
              and(sql`${oauthGrants.accessTokenExpiresAt} = ${after.expiresAt}::timestamptz`, gt(oauthGrants.mailboxId, after.mailboxId)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(oauthGrants.accessTokenExpiresAt), asc(oauthGrants.mailboxId))
    .limit(PAGE_SIZE);
}

async function countRefreshesDue(nextCheck: Date): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(and(checkable, refreshDueBySql(nextCheck), lte(oauthGrants.accessTokenExpiresAt, new Date(nextCheck.getTime() + MAX_REFRESH_MARGIN_MS))));
  return row?.value ?? 0;
}

/**
 * The grants not proven for a day (or never), longest first, at most twice a run's share of the
 * day: however many grants were connected at once, their proofs spread over the day instead of
 * all coming due in the same run every day after.
 */
async function findProofsDue({ now, nextCheck, periodMs }: { now: Date; nextCheck: Date; periodMs: number }): Promise<string[]> {
  const [connected] = await db.select({ value: count() }).from(oauthGrants).innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId)).where(checkable);
  const share = Math.ceil((2 * (connected?.value ?? 0) * periodMs) / CHECK_EVERY_MS);
  const rows = await db
    .select({ mailboxId: oauthGrants.mailboxId })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(
      and(
        checkable,
        not(sql`coalesce(${refreshDueBySql(nextCheck)}, false)`),
        or(isNull(oauthGrants.lastCheckedAt), lt(oauthGrants.lastCheckedAt, new Date(now.getTime() - CHECK_EVERY_MS))),
      ),
    )
    .orderBy(sql`${oauthGrants.lastCheckedAt} asc nulls first`, asc(oauthGrants.mailboxId))
    .limit(Math.max(MIN_PROOFS_PER_RUN, share));
  return rows.map((row) => row.mailboxId);
}

/**
 * One run of the background check: the refreshes due before the next run, soonest expiry first,
 * then the grants to prove. Each check gets its moment, evenly spread over `periodMs` (the time
 * until the next run), so that the token endpoints see a steady pace rather than every check at
 * once; `send` gets them a page at a time. Returns how many of each it sent.
 */
export async function planGrantChecks({
  periodMs = GRANT_CHECK_INTERVAL_MS,
  send,
}: {
  periodMs?: number;
  send: (checks: ScheduledGrantCheck[]) => Promise<void>;
}): Promise<{ refreshes: number; proofs: number }> {
  const now = new Date();
  const nextCheck = new Date(now.getTime() + GRANT_CHECK_INTERVAL_MS);
  const [refreshesDue, proofs] = await Promise.all([countRefreshesDue(nextCheck), findProofsDue({ now, nextCheck, periodMs })]);
  const total = refreshesDue + proofs.length;
  let sent = 0;
  // Refreshes found beyond the count (tokens written meanwhile) go at the end of the period.
  const momentOf = (index: number) => new Date(now.getTime() + Math.floor((Math.min(index, total - 1) * periodMs) / Math.max(total, 1)));

  let refreshes = 0;
  for (let after: { expiresAt: string; mailboxId: string } | null = null; ; ) {
    const page = await findRefreshesDue({ nextCheck, after });
    if (page.length === 0) break;
    await send(page.map(({ mailboxId }) => ({ mailboxId, prove: false, startAfter: momentOf(sent++) })));
    refreshes += page.length;
    if (page.length < PAGE_SIZE) break;
    after = page.at(-1)!;
  }
  for (let start = 0; start < proofs.length; start += PAGE_SIZE) {
    await send(proofs.slice(start, start + PAGE_SIZE).map((mailboxId) => ({ mailboxId, prove: true, startAfter: momentOf(sent++) })));
  }
  return { refreshes, proofs: proofs.length };
}

/** The checks a run would send now, in order, without their moments. */
export async function findGrantsToCheck(): Promise<GrantToCheck[]> {
  const checks: GrantToCheck[] = [];
  await planGrantChecks({
    send: async (page) => {
      checks.push(...page.map(({ mailboxId, prove }) => ({ mailboxId, prove })));
    },
  });
  return checks;
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

/** The slots of a profile's background checks: at most its `maxConcurrentConnections` at once, across every instance. */
export const profileCheckSlots = (profileId: string) => `tokens.check-grant:profile:${profileId}`;

/**
 * A background check, taking its turn among its profile's: the provider's token endpoint sees at
 * most the profile's `maxConcurrentConnections` of them at once, whichever instances run them.
 */
export async function checkGrantInTurn(grant: GrantToCheck, { takeSlots }: Pick<JobContext, 'takeSlots'>): Promise<GrantCheckResult> {
  const [profile] = await db
    .select({ id: serverProfiles.id, limit: serverProfiles.maxConcurrentConnections })
    .from(oauthGrants)
    .innerJoin(serverProfiles, eq(serverProfiles.id, oauthGrants.profileId))
    .where(eq(oauthGrants.mailboxId, grant.mailboxId));
  // No grant any more: the check answers as for any mailbox that is not connected.
  if (!profile) return checkGrant(grant);
  const turn = await takeSlots({ name: profileCheckSlots(profile.id), limit: profile.limit, count: 1 });
  try {
    return await checkGrant(grant);
  } finally {
    await turn.release();
  }
}
