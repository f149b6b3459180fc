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
import { getUserById } from '@/lib/users/users';
import { claimAuthorization, getAuthorizationByState, recordAuthorizationOutcome } from '@/lib/oauth/authorizations';
import { consentingAccount, type ConsentingAccount } from '@/lib/oauth/consenting-account';
import { mailScopesOf, oauthAppOf, oauthCallbackUrl, type OAuthApp } from '@/lib/oauth/oauth-app';
import { delegateTenantOf } from '@/lib/providers/microsoft365';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { providerText } from '@/lib/providers/provider';
import { STATE_OUTCOMES, TENANT_REQUIRED_OUTCOME, type ConnectOutcome } from '@/lib/oauth/outcomes';
import { revokeTokens } from '@/lib/oauth/revoke-tokens';
import { connectableMailbox } from './start-authorization';
import { exchangeAuthorizationCode, type TokenResponse } from '@/lib/oauth/token-endpoint';

export type CompletedAuthorization = { mailboxId: string | null; authorizationId: string | null; outcome: ConnectOutcome };

const failed = (code: string, message: string, hint: string): ConnectOutcome => ({ ok: false, code, message, hint });

const NOT_ALLOWED_OUTCOME = failed(
  'not_allowed',
  'You can no longer connect this mailbox: it was given to someone else, or your access changed, while you were signing in. Nothing was saved.',
  'If the mailbox is yours, open it again and connect; otherwise its owner or an admin connects it.',
);

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
  if (!mailbox) return refuse(failed('mailbox_gone', 'The mailbox was deleted meanwhile.', 'Nothing to do.'));
  const connector = await stillConnecting(user, mailbox.id);
  if (!connector) return refuse(NOT_ALLOWED_OUTCOME);
  if (mailbox.profileId !== authorization.profileId) {
    return refuse(failed('profile_changed', 'The mailbox moved to another profile during the sign-in.', 'Connect again: the new profile’s app must be used.'));
  }

  let consented: ConsentingAccount;
  try {
    consented = await consentingAccount(app, tokens);
  } catch (error) {
    if (error instanceof OAuthFailure) return refuse(failed(error.code, error.message, error.hint));
    throw error;
  }
  const { account } = consented;
  if (mailbox.shared) {
    if (!PROVIDERS[app.serverType].sharedMailboxes) {
      return refuse(failed('shared_not_supported', `Only ${sharedMailboxProviders()} has shared mailboxes: this mailbox’s profile is not such a profile. Nothing was saved.`, `An admin unticks “shared” on the mailbox or moves it to a ${sharedMailboxProviders()} profile.`));
    }
    const tenantId = delegateTenantOf(app);
    if (!tenantId) return refuse(TENANT_REQUIRED_OUTCOME);
    if (consented.tenantId?.toLowerCase() !== tenantId) {
      return refuse(
        failed(
          'delegate_tenant',
          `You signed in as ${account}, an account of another Microsoft 365 organization than the profile’s. A shared mailbox’s delegate signs in from the organization that holds it. Nothing was saved.`,
          'Connect again with an account of the organization that holds the shared mailbox.',
        ),
      );
    }
  } else if (account !== mailbox.address) {
    return refuse(
      failed(
        'wrong_account',
        `You signed in as ${account}, but this mailbox is ${mailbox.address}. Nothing was saved.`,
        `Connect again and choose the account ${mailbox.address} at the provider (sign out of ${account} there first if it is picked for you).`,
      ),
    );
  }

  const granted = tokens.scopes ?? app.scopes;
  const missing = mailScopesOf(app).filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    return refuse(
      failed(
        'scopes_missing',
        `The consent did not include ${missing.join(', ')}. Nothing was saved.`,
        'Connect again and allow every permission asked for; if the provider never offers them, the app registration must allow them.',
      ),
    );
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
        return failed('no_refresh_token', 'The provider granted access but sent no refresh token, so Mailroom could not keep the connection. Nothing was saved.', PROVIDERS[app.serverType].noRefreshTokenHint);
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
      return {
        ok: true,
        code: 'connected',
        message: `Connected as ${account}.${keptRefreshToken ? ' The provider sent no new refresh token; the one already stored for this account is kept.' : ''}`,
        hint: 'Next: test and activate the mailbox.',
      };
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
      outcome: failed('state_reused', 'This sign-in answer was already used.', 'If the mailbox is not connected, start again with “Connect”.'),
    };
  }
  if (authorization.expiresAt < new Date()) {
    return finish(failed('state_expired', 'The sign-in took longer than 10 minutes and expired.', 'Start again with “Connect”.'));
  }
  if (query.error) {
    const description = providerText(query.error_description);
    return finish(
      query.error === 'access_denied'
        ? failed('declined', 'The consent was declined at the provider, so nothing was connected.', 'Connect again and accept the permissions when you are ready.')
        : failed(providerText(query.error), `The provider ended the sign-in with ${providerText(query.error)}${description ? `: ${description}` : ''}.`, 'Start again with “Connect”; if it repeats, show this message to an admin.'),
    );
  }
  if (!query.code) return finish(failed('code_missing', 'The provider sent no authorization code.', 'Start again with “Connect”.'));

  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, authorization.profileId));
  if (!profile) return finish(failed('profile_gone', 'The server profile was deleted meanwhile.', 'Ask an admin.'));
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
    if (error.code === 'id_token_invalid') return finish(failed(error.code, error.message, error.hint));
    return finish(failed('exchange_failed', `The authorization code could not be exchanged for tokens: ${error.message}`, error.hint));
  }
  return finish(await acceptTokens({ authorization, app, tokens, user }));
}
