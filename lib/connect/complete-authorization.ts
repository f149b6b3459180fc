import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, serverProfiles, type OauthAuthorization, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret } from '@/lib/crypto/secrets';
import { recordMailboxConnected } from '@/lib/mailboxes/record-connection';
import { recordClientAccepted } from '@/lib/profiles/client-refusal';
import { PROVIDERS, sharedMailboxProviders } from '@/lib/providers';
import { getGrant, saveConsentedGrant, saveRefreshedTokens } from '@/lib/tokens/grants';
import { phrase } from '@/lib/i18n/text';
import { getUserById } from '@/lib/users/users';
import { claimAuthorization, getAuthorizationByState, recordAuthorizationOutcome } from '@/lib/oauth/authorizations';
import { consentingAccount, type ConsentingAccount } from '@/lib/oauth/consenting-account';
import { mailScopesOf, oauthAppOf, oauthCallbackUrl, type OAuthApp } from '@/lib/oauth/oauth-app';
import { delegateTenantOf } from '@/lib/providers/microsoft365';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { providerText } from '@/lib/providers/provider';
import { connectOutcome, failureOutcome, STATE_OUTCOMES, TENANT_REQUIRED_OUTCOME, type ConnectOutcome } from '@/lib/oauth/outcomes';
import { revokeTokens } from '@/lib/oauth/revoke-tokens';
import { connectableMailbox } from './start-authorization';
import { exchangeAuthorizationCode, type TokenResponse } from '@/lib/oauth/token-endpoint';

export type CompletedAuthorization = { mailboxId: string | null; authorizationId: string | null; outcome: ConnectOutcome };

const NOT_ALLOWED_OUTCOME = connectOutcome('not_allowed', phrase('oauth.outcomes.notAllowed'));

/** The person who started Connect if they may still connect the mailbox (still active, its owner or an admin, the mailbox connectable); else null. */
async function stillConnecting(user: User | null, mailboxId: string): Promise<User | null> {
  if (!user || user.deactivatedAt) return null;
  return (await connectableMailbox({ viewer: user, mailboxId }).catch(() => null)) ? user : null;
}

/** Raised inside the storing transaction when the mailbox changed hands since the checks: rolls it back. */
class MailboxChangedHands extends Error {}

/**
 * Everything after the provider handed over tokens: that the person who started may still connect
 * the mailbox, who consented, from which tenant, with which scopes, whether a refresh token came;
 * stores the grant only when all is right. Tokens of a refused connect are revoked at the provider.
 */
export async function acceptTokens({
  authorization,
  app,
  tokens,
  user,
}: {
  authorization: Pick<OauthAuthorization, 'mailboxId' | 'profileId'>;
  app: OAuthApp;
  tokens: TokenResponse;
  /** The person who started Connect, as stored now. */
  user: User | null;
}): Promise<ConnectOutcome> {
  const refuse = async (outcome: ConnectOutcome): Promise<ConnectOutcome> => {
    await revokeTokens(app, tokens);
    return outcome;
  };
  const [mailbox] = await db.select().from(mailboxes).where(eq(mailboxes.id, authorization.mailboxId));
  if (!mailbox) return refuse(connectOutcome('mailbox_gone', phrase('oauth.outcomes.mailboxGone')));
  const connector = await stillConnecting(user, mailbox.id);
  if (!connector) return refuse(NOT_ALLOWED_OUTCOME);
  if (mailbox.profileId !== authorization.profileId) {
    return refuse(connectOutcome('profile_changed', phrase('oauth.outcomes.profileChanged')));
  }

  let consented: ConsentingAccount;
  try {
    consented = await consentingAccount(app, tokens);
  } catch (error) {
    if (error instanceof OAuthFailure) return refuse(failureOutcome(error));
    throw error;
  }
  const { account } = consented;
  if (mailbox.shared) {
    if (!PROVIDERS[app.serverType].sharedMailboxes) {
      return refuse(connectOutcome('shared_not_supported', phrase('oauth.outcomes.sharedNotSupported', { providers: sharedMailboxProviders() })));
    }
    const tenantId = delegateTenantOf(app);
    if (!tenantId) return refuse(TENANT_REQUIRED_OUTCOME);
    if (consented.tenantId?.toLowerCase() !== tenantId) {
      return refuse(connectOutcome('delegate_tenant', phrase('oauth.outcomes.delegateTenant', { account })));
    }
  } else if (account !== mailbox.address) {
    return refuse(connectOutcome('wrong_account', phrase('oauth.outcomes.wrongAccount', { account, address: mailbox.address })));
  }

  const granted = tokens.scopes ?? app.scopes;
  const missing = mailScopesOf(app).filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    return refuse(connectOutcome('scopes_missing', phrase('oauth.outcomes.scopesMissing', { scopes: missing.join(', ') })));
  }

  try {
    const outcome = await db.transaction(async (tx): Promise<ConnectOutcome> => {
      const existing = await getGrant(tx, mailbox.id);
      let keptRefreshToken = false;
      const sameAccount = existing?.account === account && (!existing.accountSubject || !consented.subject || existing.accountSubject === consented.subject);
      if (tokens.refreshToken) {
        await saveConsentedGrant(tx, {
          mailboxId: mailbox.id,
          profileId: app.profileId,
          account,
          accountSubject: consented.subject,
          tokens: { ...tokens, refreshToken: tokens.refreshToken, accessTokenExpiresAt: tokens.expiresAt, scopes: granted },
        });
      } else if (existing?.refreshToken && sameAccount && existing.profileId === app.profileId && !existing.revokedAt) {
        // A reconnect without a refresh token: the stored one still belongs to this account and app.
        await saveRefreshedTokens(tx, existing, { ...tokens, accessTokenExpiresAt: tokens.expiresAt, refreshToken: null, scopes: granted });
        keptRefreshToken = true;
      } else {
        return connectOutcome('no_refresh_token', phrase('oauth.outcomes.noRefreshToken', { hint: phrase(PROVIDERS[app.serverType].noRefreshTokenHint) }));
      }
      await recordClientAccepted(tx, app.profileId);
      // Only if the mailbox is still the one checked above: same owner, same profile.
      if (!(await recordMailboxConnected(tx, { mailbox, account, profileId: app.profileId }))) throw new MailboxChangedHands();
      await recordAuditEvent(tx, {
        actor: userActor(connector),
        action: existing ? 'mailbox.reconnect' : 'mailbox.connect',
        target: { type: 'mailbox', id: mailbox.id },
        mailboxId: mailbox.id,
        profileId: app.profileId,
        detail: { account, ...(mailbox.shared ? { delegate: account } : {}), scopes: granted, refreshToken: keptRefreshToken ? 'kept' : 'new' },
      });
      return connectOutcome('connected', phrase('oauth.outcomes.connected', { account, kept: keptRefreshToken ? 'yes' : 'no' }), { ok: true });
    });
    return outcome.ok ? outcome : refuse(outcome);
  } catch (error) {
    if (error instanceof MailboxChangedHands) return refuse(NOT_ALLOWED_OUTCOME);
    throw error;
  }
}

/**
 * The OAuth callback: checks the state (known, unexpired, unused, same user), then exchanges the
 * code. Every outcome is recorded on the authorization so the mailbox page can tell it.
 */
export async function completeAuthorization({
  userId,
  query,
}: {
  userId: string;
  query: { state?: string; code?: string; iss?: string; error?: string; error_description?: string };
}): Promise<CompletedAuthorization> {
  const unknown = { mailboxId: null, authorizationId: null, outcome: STATE_OUTCOMES.state_unknown! };
  if (!query.state) return unknown;
  const authorization = await getAuthorizationByState(query.state);
  if (!authorization || authorization.flow !== 'code' || authorization.userId !== userId) return unknown;

  const finish = async (outcome: ConnectOutcome): Promise<CompletedAuthorization> => {
    await recordAuthorizationOutcome({ id: authorization.id, outcome });
    return { mailboxId: authorization.mailboxId, authorizationId: authorization.id, outcome };
  };
  // Single use: only the first answer for a state gets past this update.
  if (!(await claimAuthorization({ id: authorization.id }))) {
    return {
      mailboxId: authorization.mailboxId,
      authorizationId: null,
      outcome: connectOutcome('state_reused', phrase('oauth.outcomes.stateReused')),
    };
  }
  if (authorization.expiresAt < new Date()) {
    return finish(connectOutcome('state_expired', phrase('oauth.outcomes.stateExpired')));
  }
  if (query.error) {
    const description = providerText(query.error_description);
    const said = `${providerText(query.error)}${description ? `: ${description}` : ''}`;
    return finish(
      query.error === 'access_denied'
        ? connectOutcome('declined', phrase('oauth.outcomes.declined'))
        : connectOutcome(providerText(query.error), phrase('oauth.outcomes.providerError', { said })),
    );
  }
  if (!query.code) return finish(connectOutcome('code_missing', phrase('oauth.outcomes.codeMissing')));

  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, authorization.profileId));
  if (!profile) return finish(connectOutcome('profile_gone', phrase('oauth.outcomes.profileGone')));
  // Before the exchange: a person who may no longer connect the mailbox gets no tokens at all.
  const user = await getUserById({ id: userId });
  if (!(await stillConnecting(user, authorization.mailboxId))) return finish(NOT_ALLOWED_OUTCOME);
  const app = oauthAppOf(profile);
  let tokens: TokenResponse;
  try {
    tokens = await exchangeAuthorizationCode(app, {
      callback: new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      redirectUri: authorization.redirectUri ?? oauthCallbackUrl(),
      codeVerifier: decryptSecret(authorization.codeVerifier!, secretPlace(oauthAuthorizations.codeVerifier, authorization.id)),
      nonce: authorization.nonce,
    });
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    if (error.code === 'id_token_invalid') return finish(failureOutcome(error));
    return finish(connectOutcome('exchange_failed', phrase('oauth.outcomes.exchangeFailed', { reason: error.text('message'), hint: error.text('hint') })));
  }
  return finish(await acceptTokens({ authorization, app, tokens, user }));
}
