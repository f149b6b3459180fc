import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '@/db';
import { oauthGrants, type OauthGrant } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { encryptSecret } from '@/lib/crypto/secrets';

export type NewTokens = {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** Null keeps the stored refresh token (Google does not send it again on refresh). */
  refreshToken: string | null;
  scopes: string[];
};

export async function getGrant(executor: Executor, mailboxId: string): Promise<OauthGrant | null> {
  const [grant] = await executor.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId));
  return grant ?? null;
}

/**
 * Stores the tokens of a new consent, replacing any earlier grant of the mailbox. The replacing row
 * takes a new id, the one its tokens are bound to (a refresh of the replaced grant then finds no row).
 */
export async function saveConsentedGrant(
  executor: Executor,
  grant: { mailboxId: string; profileId: string; account: string; accountSubject: string | null; tokens: NewTokens & { refreshToken: string } },
): Promise<void> {
  const now = new Date();
  const id = randomUUID();
  const values = {
    id,
    profileId: grant.profileId,
    account: grant.account,
    accountSubject: grant.accountSubject,
    scopes: grant.tokens.scopes,
    accessToken: encryptSecret(grant.tokens.accessToken, secretPlace(oauthGrants.accessToken, id)),
    accessTokenExpiresAt: grant.tokens.accessTokenExpiresAt,
    refreshToken: encryptSecret(grant.tokens.refreshToken, secretPlace(oauthGrants.refreshToken, id)),
    refreshTokenObtainedAt: now,
    consentedAt: now,
    lastRefreshAt: null,
    lastCheckedAt: now,
    lastError: null,
    revokedAt: null,
    refreshLeaseUntil: null,
  };
  await executor
    .insert(oauthGrants)
    .values({ mailboxId: grant.mailboxId, ...values })
    .onConflictDoUpdate({ target: oauthGrants.mailboxId, set: { ...values, version: sql`${oauthGrants.version} + 1` } });
}

/**
 * Stores refreshed tokens only if the grant is still the version that was refreshed, and releases
 * the refresh lease in the same statement; false when another writer got there first.
 */
export async function saveRefreshedTokens(
  executor: Executor,
  grant: Pick<OauthGrant, 'id' | 'version'>,
  tokens: NewTokens,
): Promise<boolean> {
  const now = new Date();
  const updated = await executor
    .update(oauthGrants)
    .set({
      accessToken: encryptSecret(tokens.accessToken, secretPlace(oauthGrants.accessToken, grant.id)),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      ...(tokens.refreshToken ? { refreshToken: encryptSecret(tokens.refreshToken, secretPlace(oauthGrants.refreshToken, grant.id)), refreshTokenObtainedAt: now } : {}),
      scopes: tokens.scopes,
      lastRefreshAt: now,
      lastCheckedAt: now,
      lastError: null,
      refreshLeaseUntil: null,
      version: grant.version + 1,
    })
    .where(sql`${oauthGrants.id} = ${grant.id} and ${oauthGrants.version} = ${grant.version}`)
    .returning({ id: oauthGrants.id });
  return updated.length === 1;
}
