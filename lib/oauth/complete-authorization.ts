import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, serverProfiles, type OauthAuthorization } from '@/db/schema';
import { userActor, type Actor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { decryptSecret } from '@/lib/crypto/secrets';
import { sha256 } from '@/lib/crypto/tokens';
import { transition } from '@/lib/mailboxes/status';
import { getGrant, saveConsentedGrant, saveRefreshedTokens } from '@/lib/tokens/grants';
import { recordClientAccepted } from '@/lib/tokens/record-token-failure';
import { getUserById } from '@/lib/users/users';
import { consentingAccount } from './consenting-account';
import { mailScopesOf, oauthAppOf, oauthCallbackUrl, type OAuthApp } from './oauth-app';
import { OAuthFailure, providerText } from './oauth-failure';
import { noRefreshTokenHint, STATE_OUTCOMES, type ConnectOutcome } from './outcomes';
import { requestToken, type TokenResponse } from './token-endpoint';

export type CompletedAuthorization = { mailboxId: string | null; authorizationId: string | null; outcome: ConnectOutcome };

const failed = (code: string, message: string, hint: string): ConnectOutcome => ({ ok: false, code, message, hint });

async function recordOutcome(authorizationId: string, outcome: ConnectOutcome): Promise<void> {
  await db
    .update(oauthAuthorizations)
    .set({ outcome: { code: outcome.code, message: outcome.message, hint: outcome.hint, at: new Date().toISOString() } })
    .where(eq(oauthAuthorizations.id, authorizationId));
}

/**
 * Everything after the provider handed over tokens: who consented, with which scopes, whether a
 * refresh token came; stores the grant only when all is right.
 */
export async function acceptTokens({
  authorization,
  app,
  tokens,
  actor,
}: {
  authorization: Pick<OauthAuthorization, 'mailboxId' | 'profileId'>;
  app: OAuthApp;
  tokens: TokenResponse;
  actor: Actor;
}): Promise<ConnectOutcome> {
  const [mailbox] = await db.select().from(mailboxes).where(eq(mailboxes.id, authorization.mailboxId));
  if (!mailbox) return failed('mailbox_gone', 'The mailbox was deleted meanwhile.', 'Nothing to do.');
  if (mailbox.profileId !== authorization.profileId) {
    return failed('profile_changed', 'The mailbox moved to another profile during the sign-in.', 'Connect again: the new profile’s app must be used.');
  }

  let account: string;
  try {
    account = await consentingAccount(app, tokens);
  } catch (error) {
    if (error instanceof OAuthFailure) return failed(error.code, error.message, error.hint);
    throw error;
  }
  if (!mailbox.shared && account !== mailbox.address) {
    return failed(
      'wrong_account',
      `You signed in as ${account}, but this mailbox is ${mailbox.address}. Nothing was saved.`,
      `Connect again and choose the account ${mailbox.address} at the provider (sign out of ${account} there first if it is picked for you).`,
    );
  }

  const granted = tokens.scopes ?? app.scopes;
  const missing = mailScopesOf(app).filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    return failed(
      'scopes_missing',
      `The consent did not include ${missing.join(', ')}. Nothing was saved.`,
      'Connect again and allow every permission asked for; if the provider never offers them, the app registration must allow them.',
    );
  }

  return db.transaction(async (tx) => {
    const existing = await getGrant(tx, mailbox.id);
    let keptRefreshToken = false;
    if (tokens.refreshToken) {
      await saveConsentedGrant(tx, {
        mailboxId: mailbox.id,
        profileId: app.profileId,
        account,
        tokens: { ...tokens, refreshToken: tokens.refreshToken, accessTokenExpiresAt: tokens.expiresAt, scopes: granted },
      });
    } else if (existing?.refreshToken && existing.account === account && existing.profileId === app.profileId && !existing.revokedAt) {
      // A reconnect without a refresh token: the stored one still belongs to this account and app.
      await saveRefreshedTokens(tx, existing, { ...tokens, accessTokenExpiresAt: tokens.expiresAt, refreshToken: null, scopes: granted });
      keptRefreshToken = true;
    } else {
      return failed('no_refresh_token', 'The provider granted access but sent no refresh token, so Mailroom could not keep the connection. Nothing was saved.', noRefreshTokenHint(app.serverType));
    }
    await recordClientAccepted(tx, app.profileId);
    await tx
      .update(mailboxes)
      .set({ ...transition(mailbox, 'connected'), connectedAs: account })
      .where(eq(mailboxes.id, mailbox.id));
    await recordAuditEvent(tx, {
      actor,
      action: existing ? 'mailbox.reconnect' : 'mailbox.connect',
      target: { type: 'mailbox', id: mailbox.id },
      mailboxId: mailbox.id,
      profileId: app.profileId,
      detail: { account, scopes: granted, refreshToken: keptRefreshToken ? 'kept' : 'new' },
    });
    return {
      ok: true,
      code: 'connected',
      message: `Connected as ${account}.${keptRefreshToken ? ' The provider sent no new refresh token; the one already stored for this account is kept.' : ''}`,
      hint: 'Next: test and activate the mailbox.',
    };
  });
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
  query: { state?: string; code?: string; error?: string; error_description?: string };
}): Promise<CompletedAuthorization> {
  const unknown = { mailboxId: null, authorizationId: null, outcome: STATE_OUTCOMES.state_unknown! };
  if (!query.state) return unknown;
  const [authorization] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.stateHash, sha256(query.state)));
  if (!authorization || authorization.flow !== 'code' || authorization.userId !== userId) return unknown;

  const finish = async (outcome: ConnectOutcome): Promise<CompletedAuthorization> => {
    await recordOutcome(authorization.id, outcome);
    return { mailboxId: authorization.mailboxId, authorizationId: authorization.id, outcome };
  };
  // Single use: only the first answer for a state gets past this update.
  const [claimed] = await db
    .update(oauthAuthorizations)
    .set({ usedAt: new Date() })
    .where(and(eq(oauthAuthorizations.id, authorization.id), isNull(oauthAuthorizations.usedAt)))
    .returning({ id: oauthAuthorizations.id });
  if (!claimed) {
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
  const app = oauthAppOf(profile);
  let tokens: TokenResponse;
  try {
    tokens = await requestToken(app, {
      grant_type: 'authorization_code',
      code: query.code,
      redirect_uri: authorization.redirectUri ?? oauthCallbackUrl(),
      code_verifier: decryptSecret(authorization.codeVerifier!),
    });
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    return finish(failed('exchange_failed', `The authorization code could not be exchanged for tokens: ${error.message}`, error.hint));
  }
  const user = await getUserById({ id: userId });
  return finish(await acceptTokens({ authorization, app, tokens, actor: userActor(user!) }));
}
