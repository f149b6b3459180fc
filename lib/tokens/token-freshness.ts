import { sql, type SQL } from 'drizzle-orm';
import { oauthGrants, type OauthGrant } from '@/db/schema';

const MIN_REFRESH_MARGIN_MS = 5_000;
export const MAX_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** How often the background check looks for grants to refresh ahead of use (token-jobs' cron, every five minutes). */
export const GRANT_CHECK_INTERVAL_MS = 5 * 60 * 1000;

/**
 * How long before its expiry an access token stops counting as fresh: a third of its lifetime, at
 * least 5 seconds and at most 5 minutes. A fixed margin would make a 5-minute token (Keycloak's
 * default) stale from the moment it is issued.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, Math.max(MIN_REFRESH_MARGIN_MS, lifetimeMs / 3));
}

export type AccessTokenTimes = Pick<OauthGrant, 'accessTokenExpiresAt' | 'lastRefreshAt' | 'consentedAt'>;

/** When the access token was issued: at its refresh, or at the consent that brought it. */
const issuedAtOf = (grant: AccessTokenTimes): Date => grant.lastRefreshAt ?? grant.consentedAt;

/** The moment the stored access token stops being fresh; null when there is none. */
export function freshUntil(grant: AccessTokenTimes): Date | null {
  if (!grant.accessTokenExpiresAt) return null;
  const expiresAt = grant.accessTokenExpiresAt.getTime();
  return new Date(expiresAt - refreshMarginMs(expiresAt - issuedAtOf(grant).getTime()));
}

export function isFreshAt(grant: AccessTokenTimes, moment: Date): boolean {
  const until = freshUntil(grant);
  return until !== null && moment < until;
}

/**
 * Whether the background check refreshes this grant's tokens ahead of use: only when a new token
 * stays fresh longer than the time between two checks. Shorter-lived tokens would be refreshed by
 * every check for nothing; they are refreshed when used.
 */
export function isRefreshedAhead(grant: AccessTokenTimes): boolean {
  if (!grant.accessTokenExpiresAt) return false;
  const lifetimeMs = grant.accessTokenExpiresAt.getTime() - issuedAtOf(grant).getTime();
  return lifetimeMs - refreshMarginMs(lifetimeMs) > GRANT_CHECK_INTERVAL_MS;
}

/** A token refreshed ahead of use whose freshness ends by `moment`: due for the background check, late in token status. */
export function isRefreshDueBy(grant: AccessTokenTimes, moment: Date): boolean {
  return isRefreshedAhead(grant) && !isFreshAt(grant, moment);
}

// The SQL twins, so that the background check and filtered lists agree with the functions above; the
// token status list reads the mailboxes' grant_refresh_due_at, a third twin (db/schema.ts).
const lifetimeSql = sql`(${oauthGrants.accessTokenExpiresAt} - coalesce(${oauthGrants.lastRefreshAt}, ${oauthGrants.consentedAt}))`;
const millisecondsSql = (ms: number) => sql.raw(`interval '${ms} milliseconds'`);
const marginSql = sql`least(greatest(${lifetimeSql} / 3, ${millisecondsSql(MIN_REFRESH_MARGIN_MS)}), ${millisecondsSql(MAX_REFRESH_MARGIN_MS)})`;

/** SQL for `isRefreshDueBy(grant, moment)`. */
export function refreshDueBySql(moment: Date): SQL {
  return sql`(${oauthGrants.accessTokenExpiresAt} is not null
    and ${lifetimeSql} - ${marginSql} > ${millisecondsSql(GRANT_CHECK_INTERVAL_MS)}
    and ${oauthGrants.accessTokenExpiresAt} - ${marginSql} <= ${moment.toISOString()}::timestamptz)`;
}
