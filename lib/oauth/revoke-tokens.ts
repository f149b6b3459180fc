import 'server-only';
import * as oauth from 'oauth4webapi';
import { describeError, logger } from '@/lib/logger';
import type { OAuthApp } from './oauth-app';
import { authorizationServerOf, clientAuthenticationOf, oauthClientOf, requestOptionsFor } from './oauth-client';

async function revokeToken(app: OAuthApp, token: string, tokenTypeHint: 'refresh_token' | 'access_token'): Promise<boolean> {
  try {
    const response = await oauth.revocationRequest(authorizationServerOf(app), oauthClientOf(app), clientAuthenticationOf(app), token, {
      ...requestOptionsFor(app, app.revocationEndpoint!),
      additionalParameters: { token_type_hint: tokenTypeHint },
    });
    await oauth.processRevocationResponse(response);
    return true;
  } catch (error) {
    logger.warn('token revocation failed', { tokenTypeHint, error: describeError(error) });
    return false;
  }
}

/**
 * RFC 7009 revocation of what Mailroom holds or was just handed, where the provider has a
 * revocation endpoint. A provider that cannot be reached does not keep the tokens alive here:
 * false says they may still work there.
 */
export async function revokeTokens(app: OAuthApp, tokens: { accessToken: string | null; refreshToken: string | null }): Promise<boolean> {
  if (!app.revocationEndpoint) return false;
  const revoked = await Promise.all([
    tokens.refreshToken ? revokeToken(app, tokens.refreshToken, 'refresh_token') : true,
    tokens.accessToken ? revokeToken(app, tokens.accessToken, 'access_token') : true,
  ]);
  return revoked.every(Boolean);
}
