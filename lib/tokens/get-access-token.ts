import 'server-only';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { db } from '@/db';
import { oauthGrants, serverProfiles, type OauthGrant } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { phrase } from '@/lib/i18n/text';
import { logger } from '@/lib/logger';
import { ClientSecretUnreadableError, oauthAppOf, type OAuthApp } from '@/lib/oauth/oauth-app';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { requestRefreshedTokens, type TokenResponse } from '@/lib/oauth/token-endpoint';
import { recordClientAccepted } from '@/lib/profiles/client-refusal';
import { getGrant, saveRefreshedTokens } from './grants';
import { isFreshAt } from './token-freshness';
import { recordTokenFailure } from './record-token-failure';
import { recordRefreshAttempt } from './refresh-history';

export type UsableAccessToken = {
  accessToken: string;
  /** The account whose token it is (a delegate's, for a shared mailbox). */
  account: string;
  expiresAt: Date;
};

const LEASE_MS = 30_000;
const WAIT_STEP_MS = 100;
const RETRY_DELAYS_MS = [500, 2_000];


/**
 * A stored secret that cannot be decrypted (altered, copied from another row) ends the grant, or the
 * profile's client for a client secret, like a refusal by the provider would: it never works again.
 */
function unreadableSecretFailure(error: unknown): OAuthFailure | null {
  if (error instanceof ClientSecretUnreadableError) {
    return new OAuthFailure({ reach: 'profile', code: 'client_secret_unreadable', phrase: phrase('oauth.failures.clientSecretUnreadable') });
  }
  if (!(error instanceof SecretDecryptionError)) return null;
  logger.warn('A mailbox’s stored token cannot be decrypted', { table: error.place.table, column: error.place.column, rowId: error.place.rowId, reason: error.reason });
  return new OAuthFailure({ reach: 'mailbox', code: 'secret_unreadable', phrase: phrase('oauth.failures.secretUnreadable') });
}

/** Reads what a grant stores; a secret that cannot be read is recorded as the grant's final failure. */
async function readStored<T>(grant: OauthGrant, read: () => T): Promise<T> {
  try {
    return read();
  } catch (error) {
    const failure = unreadableSecretFailure(error);
    if (!failure) throw error;
    await recordTokenFailure(grant, failure);
    throw failure;
  }
}

function isFresh(grant: OauthGrant, options: { refreshedSince?: Date; freshAt?: Date }): boolean {
  if (!grant.accessToken) return false;
  if (options.refreshedSince && (grant.lastRefreshAt ?? grant.consentedAt) < options.refreshedSince) return false;
  return isFreshAt(grant, options.freshAt ?? new Date());
}

async function takeRefreshLease(grant: OauthGrant): Promise<boolean> {
  const now = new Date();
  const taken = await db
    .update(oauthGrants)
    .set({ refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) })
    .where(
      and(
        eq(oauthGrants.id, grant.id),
        eq(oauthGrants.version, grant.version),
        or(isNull(oauthGrants.refreshLeaseUntil), lt(oauthGrants.refreshLeaseUntil, now)),
      ),
    )
    .returning({ id: oauthGrants.id });
  return taken.length === 1;
}

async function releaseRefreshLease(grantId: string): Promise<void> {
  await db.update(oauthGrants).set({ refreshLeaseUntil: null }).where(eq(oauthGrants.id, grantId));
}

/** Refreshes with the stored refresh token, retrying only what is temporary. */
async function refreshWithRetries(app: OAuthApp, refreshToken: string): Promise<TokenResponse> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await requestRefreshedTokens(app, refreshToken);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!(error instanceof OAuthFailure) || error.reach !== 'temporary' || delay === undefined) throw error;
      await sleep(delay);
    }
  }
}

/**
 * The one way to get an access token for a mailbox. It refreshes a token that is no longer fresh
 * (see token-freshness), one refresh at a time per mailbox across every process (a lease on the
 * grant row), stores a rotated refresh token before anyone uses the new access token, and keeps the
 * stored tokens when anything fails. `refreshedSince` asks for a token refreshed after that moment,
 * `freshAt` for one still fresh then.
 */
export async function getAccessToken({
  mailboxId,
  refreshedSince,
  freshAt,
}: {
  mailboxId: string;
  refreshedSince?: Date;
  freshAt?: Date;
}): Promise<UsableAccessToken> {
  const waitUntil = Date.now() + LEASE_MS + 5_000;
  for (;;) {
    const grant = await getGrant(db, mailboxId);
    if (!grant?.refreshToken) throw new OAuthFailure({ reach: 'mailbox', code: 'not_connected', phrase: phrase('oauth.failures.notConnected') });
    if (isFresh(grant, { refreshedSince, freshAt })) {
      const accessToken = await readStored(grant, () => decryptSecret(grant.accessToken!, secretPlace(oauthGrants.accessToken, grant.id)));
      return { accessToken, account: grant.account, expiresAt: grant.accessTokenExpiresAt! };
    }
    if (!(await takeRefreshLease(grant))) {
      // Another request or process is refreshing: wait for its token rather than refreshing twice.
      if (Date.now() > waitUntil) {
        throw new OAuthFailure({ reach: 'temporary', code: 'refresh_busy', phrase: phrase('oauth.failures.refreshBusy') });
      }
      await sleep(WAIT_STEP_MS);
      continue;
    }

    const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, grant.profileId));
    const { app, refreshToken } = await readStored(grant, () => ({
      app: oauthAppOf(profile!),
      refreshToken: decryptSecret(grant.refreshToken!, secretPlace(oauthGrants.refreshToken, grant.id)),
    }));
    let tokens: TokenResponse;
    try {
      tokens = await refreshWithRetries(app, refreshToken);
    } catch (error) {
      await releaseRefreshLease(grant.id);
      if (!(error instanceof OAuthFailure)) throw error;
      if (error.reach !== 'temporary') {
        // Another process may have rotated the refresh token meanwhile: only a failure of the
        // newest one is final.
        const current = await getGrant(db, mailboxId);
        if (current && current.version !== grant.version) continue;
        await recordTokenFailure(grant, error);
      }
      await recordRefreshAttempt(mailboxId, { ok: false, failure: error });
      throw error;
    }
    const saved = await saveRefreshedTokens(db, grant, {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken,
      scopes: tokens.scopes ?? grant.scopes,
    });
    if (!saved) continue;
    await recordRefreshAttempt(mailboxId, { ok: true, rotated: tokens.refreshToken !== null && tokens.refreshToken !== refreshToken });
    await recordClientAccepted(db, grant.profileId);
    return { accessToken: tokens.accessToken, account: grant.account, expiresAt: tokens.expiresAt };
  }
}
