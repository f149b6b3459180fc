import 'server-only';
import * as oauth from 'oauth4webapi';
import { phrase } from '@/lib/i18n/text';
import { describeError, logger } from '@/lib/logger';
import { PROVIDERS } from '@/lib/providers';
import type { ClaimedAccount } from '@/lib/providers/provider';
import type { OAuthApp } from './oauth-app';
import { authorizationServerOf, oauthClientOf, requestOptionsFor, unansweredRequestFailure } from './oauth-client';
import { OAuthFailure } from './oauth-failure';
import type { TokenResponse } from './token-endpoint';

/** The account the provider vouches for (Google's `sub`, Microsoft's `tid:oid`), its sign-in name in lower case: what the mailbox page shows as connected as. */
export type ConsentingAccount = ClaimedAccount;

async function userinfoClaims(app: OAuthApp, accessToken: string, expectedSubject: string | undefined): Promise<Record<string, unknown>> {
  if (!app.userinfoEndpoint) return {};
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  try {
    const response = await oauth.userInfoRequest(as, client, accessToken, requestOptionsFor(app, app.userinfoEndpoint));
    return { ...(await oauth.processUserInfoResponse(as, client, expectedSubject ?? oauth.skipSubjectCheck, response)) };
  } catch (error) {
    const unanswered = unansweredRequestFailure(error, 'userinfo');
    if (unanswered) throw unanswered;
    logger.warn('userinfo refused', { error: describeError(error) });
    return {};
  }
}

/** Which account consented, as the provider vouches for it: a verified id_token's claims, or else userinfo. */
export async function consentingAccount(app: OAuthApp, tokens: TokenResponse): Promise<ConsentingAccount> {
  const claims = tokens.idTokenClaims;
  const provider = PROVIDERS[app.serverType];
  const fromIdToken = claims ? provider.accountFromClaims(claims) : null;
  const found =
    fromIdToken ?? provider.accountFromClaims(await userinfoClaims(app, tokens.accessToken, typeof claims?.sub === 'string' ? claims.sub : undefined));
  if (!found) {
    throw new OAuthFailure({
      reach: 'profile',
      code: 'account_unknown',
      phrase: phrase('oauth.failures.accountUnknown', { hint: phrase(provider.accountMissingHint) }),
    });
  }
  return { ...found, account: found.account.toLowerCase() };
}
