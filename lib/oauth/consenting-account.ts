import 'server-only';
import * as oauth from 'oauth4webapi';
import { describeError, logger } from '@/lib/logger';
import type { OAuthApp } from './oauth-app';
import { authorizationServerOf, oauthClientOf, requestOptionsFor, unansweredRequestFailure } from './oauth-client';
import { OAuthFailure, providerText } from './oauth-failure';
import type { TokenResponse } from './token-endpoint';

export type ConsentingAccount = {
  /** The sign-in name, in lower case: what the mailbox page shows as connected as. */
  account: string;
  /** The provider's stable id of the account: Google's `sub`, Microsoft's `tid:oid`; null when it gave none. */
  subject: string | null;
  /** Microsoft: the directory (tenant) the account signed in from. */
  tenantId: string | null;
};

async function userinfoClaims(app: OAuthApp, accessToken: string, expectedSubject: string | undefined): Promise<Record<string, unknown>> {
  if (!app.userinfoEndpoint) return {};
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  try {
    const response = await oauth.userInfoRequest(as, client, accessToken, requestOptionsFor(app, app.userinfoEndpoint));
    return { ...(await oauth.processUserInfoResponse(as, client, expectedSubject ?? oauth.skipSubjectCheck, response)) };
  } catch (error) {
    const unanswered = unansweredRequestFailure(error, 'userinfo endpoint');
    if (unanswered) throw unanswered;
    logger.warn('userinfo refused', { error: describeError(error) });
    return {};
  }
}

const text = (value: unknown): string | null => providerText(value) || null;

function accountFrom(app: OAuthApp, claims: Record<string, unknown>): ConsentingAccount | null {
  if (app.serverType === 'microsoft365') {
    // Microsoft's `email` claim is not verified: the sign-in name is preferred_username, the account tid + oid.
    const account = text(claims.preferred_username);
    const tenantId = text(claims.tid);
    const objectId = text(claims.oid);
    return account ? { account, subject: tenantId && objectId ? `${tenantId}:${objectId}` : null, tenantId } : null;
  }
  // Only the boolean true vouches for the address: a string "true", or no claim at Google, does not.
  const verified = claims.email_verified === true || (app.serverType === 'custom' && claims.email_verified === undefined);
  const account = verified ? text(claims.email) : null;
  return account ? { account, subject: text(claims.sub), tenantId: null } : null;
}

/** Which account consented, as the provider vouches for it: a verified id_token's claims, or else userinfo. */
export async function consentingAccount(app: OAuthApp, tokens: TokenResponse): Promise<ConsentingAccount> {
  const claims = tokens.idTokenClaims;
  const fromIdToken = claims ? accountFrom(app, claims) : null;
  const found = fromIdToken ?? accountFrom(app, await userinfoClaims(app, tokens.accessToken, typeof claims?.sub === 'string' ? claims.sub : undefined));
  if (!found) {
    throw new OAuthFailure({
      reach: 'profile',
      code: 'account_unknown',
      message: 'The provider did not say which account consented, or did not vouch for its address.',
      hint:
        app.serverType === 'microsoft365'
          ? 'Add the scopes openid and profile to the server profile, then connect again.'
          : 'Add the scopes openid and email to the server profile, then connect again.',
    });
  }
  return { ...found, account: found.account.toLowerCase() };
}
