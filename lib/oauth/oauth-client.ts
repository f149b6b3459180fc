import 'server-only';
import * as oauth from 'oauth4webapi';
import { guardedFetchWith, OutboundRequestError } from '@/lib/net/guarded-fetch';
import { phrase } from '@/lib/i18n/text';
import type { OAuthApp } from './oauth-app';
import { OAuthFailure } from './oauth-failure';

/**
 * The provider as oauth4webapi sees it, from the profile's columns alone: nothing is discovered at
 * run time, so an edit of the profile is the only way an endpoint changes.
 */
export function authorizationServerOf(app: OAuthApp): oauth.AuthorizationServer {
  return {
    // oauth4webapi needs an issuer; without the profile's, id_tokens are not read (see readTokenResponse).
    issuer: app.issuer ?? new URL(app.tokenEndpoint).origin,
    authorization_endpoint: app.authorizationEndpoint ?? undefined,
    token_endpoint: app.tokenEndpoint,
    device_authorization_endpoint: app.deviceEndpoint ?? undefined,
    revocation_endpoint: app.revocationEndpoint ?? undefined,
    userinfo_endpoint: app.userinfoEndpoint ?? undefined,
    jwks_uri: app.jwksEndpoint ?? undefined,
  };
}

export function oauthClientOf(app: OAuthApp): oauth.Client {
  return { client_id: app.clientId };
}

/** The profile's client authentication; a public client (no secret) only names itself. */
export function clientAuthenticationOf(app: OAuthApp): oauth.ClientAuth {
  if (!app.clientSecret) return oauth.None();
  return app.tokenEndpointAuthMethod === 'client_secret_basic' ? oauth.ClientSecretBasic(app.clientSecret) : oauth.ClientSecretPost(app.clientSecret);
}

/**
 * Every request goes through the outbound guard. Plain http is allowed only where the profile's
 * validation let an http endpoint in (loopback on internal profiles).
 */
export function requestOptionsFor(app: OAuthApp, endpoint: string) {
  return {
    [oauth.customFetch]: guardedFetchWith({ allowInternal: app.internal }),
    ...(new URL(endpoint).protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

function outboundErrorIn(error: unknown): OutboundRequestError | null {
  if (error instanceof OutboundRequestError) return error;
  if (error instanceof Error && error.cause instanceof OutboundRequestError) return error.cause;
  return null;
}

/** The provider's endpoints a request may go unanswered at, as `oauth.failures.providerUnreachable` names them. */
export type ProviderEndpoint = 'token' | 'userinfo' | 'jwks' | 'device';

/**
 * A request that never got an answer, as a temporary failure whose message is safe for owners: the
 * guard already logged its detail (addresses, ports). Null for anything else.
 */
export function unansweredRequestFailure(error: unknown, endpoint: ProviderEndpoint): OAuthFailure | null {
  const outbound = outboundErrorIn(error);
  if (outbound) {
    return new OAuthFailure({
      reach: 'temporary',
      code: outbound.code === 'timeout' ? 'provider_timeout' : 'provider_unreachable',
      phrase: phrase('oauth.failures.providerUnreachable', { endpoint, reason: outbound.message }),
    });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new OAuthFailure({ reach: 'temporary', code: 'provider_timeout', phrase: phrase('oauth.failures.providerTimeout', { endpoint }) });
  }
  return null;
}
