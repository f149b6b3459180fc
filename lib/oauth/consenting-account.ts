import 'server-only';
import type { OAuthApp } from './oauth-app';
import { OAuthFailure, providerText } from './oauth-failure';
import type { TokenResponse } from './token-endpoint';

/**
 * The claims of an ID token received straight from the token endpoint over TLS: OpenID Connect
 * Core 3.1.3.7 lets the TLS connection stand in for the signature there.
 */
function idTokenClaims(idToken: string): Record<string, unknown> {
  const payload = idToken.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function userinfoClaims(app: OAuthApp, accessToken: string): Promise<Record<string, unknown>> {
  if (!app.userinfoEndpoint) return {};
  try {
    const response = await fetch(app.userinfoEndpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function accountFrom(app: OAuthApp, claims: Record<string, unknown>): string | null {
  // Microsoft's `email` claim is not verified: the sign-in name is preferred_username.
  if (app.serverType === 'microsoft365') return providerText(claims.preferred_username) || null;
  if (claims.email_verified === false) return null;
  return providerText(claims.email) || providerText(claims.preferred_username) || null;
}

/** Which account consented, as the provider vouches for it, in lower case. */
export async function consentingAccount(app: OAuthApp, tokens: TokenResponse): Promise<string> {
  const fromIdToken = tokens.idToken ? accountFrom(app, idTokenClaims(tokens.idToken)) : null;
  const account = fromIdToken ?? accountFrom(app, await userinfoClaims(app, tokens.accessToken));
  if (!account) {
    throw new OAuthFailure({
      reach: 'profile',
      code: 'account_unknown',
      message: 'The provider did not say which account consented.',
      hint:
        app.serverType === 'microsoft365'
          ? 'Add the scopes openid and profile to the server profile, then connect again.'
          : 'Add the scopes openid and email to the server profile, then connect again.',
    });
  }
  return account.toLowerCase();
}
