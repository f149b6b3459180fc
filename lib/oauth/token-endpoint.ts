import 'server-only';
import * as oauth from 'oauth4webapi';
import { PROVIDERS } from '@/lib/providers';
import type { OAuthApp } from './oauth-app';
import { authorizationServerOf, clientAuthenticationOf, oauthClientOf, requestOptionsFor, unansweredRequestFailure } from './oauth-client';
import { phrase, type Text } from '@/lib/i18n/text';
import { providerText } from '@/lib/providers/provider';
import { OAuthFailure } from './oauth-failure';
import { revokeTokens } from './revoke-tokens';

export type TokenResponse = {
  accessToken: string;
  refreshToken: string | null;
  /**
   * Claims of an id_token whose signature verified against the issuer's keys and whose `iss`, `aud`,
   * `exp` (and `nonce` in the code flow) were right; null when the profile names no issuer or none came.
   */
  idTokenClaims: Record<string, unknown> | null;
  expiresAt: Date;
  /** Null when the provider did not say (the requested scopes were then granted). */
  scopes: string[] | null;
};

const DEFAULT_LIFETIME_SECONDS = 3600;

/** Sorts a provider's error answer into who must act: the owner, the admin, or nobody yet. */
export function classifyTokenError(app: OAuthApp, status: number, body: Record<string, unknown>): OAuthFailure {
  const code = providerText(body.error) || `http_${status}`;
  const description = providerText(body.error_description);
  const said = description ? `${code}: ${description}` : code;
  if (status >= 500 || status === 429) {
    return new OAuthFailure({
      reach: 'temporary',
      code: 'provider_unavailable',
      phrase: phrase('oauth.failures.providerUnavailable', { status: String(status), said }),
    });
  }
  const read = PROVIDERS[app.serverType].readTokenError({
    said,
    description,
    clientId: app.clientId,
    tenant: app.tenant,
    authorizationEndpoint: app.authorizationEndpoint,
    tokenEndpoint: app.tokenEndpoint,
  });
  if (read) return new OAuthFailure(read);
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new OAuthFailure({
      reach: 'profile',
      code,
      phrase: phrase('oauth.failures.clientRefused', { said }),
    });
  }
  if (code === 'invalid_grant') {
    return new OAuthFailure({
      reach: 'mailbox',
      code: 'invalid_grant',
      phrase: phrase('oauth.failures.invalidGrant', { said }),
    });
  }
  return new OAuthFailure({
    reach: 'mailbox',
    code,
    phrase: phrase('oauth.failures.requestRefused', { said }),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a library said of an answer it could not read, quoted as the provider's own words. */
export function unreadableReason(error: unknown): Text {
  return error instanceof Error ? providerText(error.message) : phrase('oauth.unreadable');
}

function idTokenRefused(error: unknown): OAuthFailure {
  return new OAuthFailure({ reach: 'mailbox', code: 'id_token_invalid', phrase: phrase('oauth.failures.idTokenInvalid', { reason: unreadableReason(error) }) });
}

/** Whether an id_token is checked: in a code or device flow, when the profile names the issuer and its keys. */
type IdTokenCheck = { nonce: string | null } | null;

/**
 * Reads a token endpoint answer with oauth4webapi. An error answer is sorted by `classifyTokenError`.
 * An id_token is verified (signature against the JWKS, then `iss`, `aud`, `exp`, `nonce`) when the
 * profile names its issuer and keys, and dropped unread otherwise; a refused one revokes the tokens
 * that came with it.
 */
async function readTokenResponse(
  app: OAuthApp,
  response: Response,
  options: { idTokenCheck: IdTokenCheck; process: (as: oauth.AuthorizationServer, answer: Response, idTokenCheck: IdTokenCheck) => Promise<oauth.TokenEndpointResponse> },
): Promise<TokenResponse> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok || !isRecord(body) || typeof body.access_token !== 'string') {
    throw classifyTokenError(app, response.status, isRecord(body) ? body : {});
  }
  const as = authorizationServerOf(app);
  const idTokenCheck = options.idTokenCheck && app.issuer && app.jwksEndpoint && typeof body.id_token === 'string' ? options.idTokenCheck : null;
  if (!idTokenCheck) delete body.id_token;
  // oauth4webapi reads a Response once; the body was read above to sort errors, so it gets a copy.
  const answer = new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await options.process(as, answer, idTokenCheck);
    if (idTokenCheck) await oauth.validateApplicationLevelSignature(as, answer, requestOptionsFor(app, app.jwksEndpoint!));
  } catch (error) {
    const unanswered = unansweredRequestFailure(error, 'jwks');
    // A connect that stops here stores nothing, so its tokens go back; a refresh's tokens are the grant's own.
    if (options.idTokenCheck) {
      await revokeTokens(app, { accessToken: body.access_token, refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null });
    }
    if (unanswered) throw unanswered;
    if (idTokenCheck) throw idTokenRefused(error);
    throw new OAuthFailure({
      reach: 'mailbox',
      code: 'invalid_token_response',
      phrase: phrase('oauth.failures.tokenResponseUnreadable', { reason: unreadableReason(error) }),
    });
  }
  const claims = idTokenCheck ? oauth.getValidatedIdTokenClaims(tokens) : undefined;
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    idTokenClaims: claims ? { ...claims } : null,
    expiresAt: new Date(Date.now() + (tokens.expires_in ?? DEFAULT_LIFETIME_SECONDS) * 1000),
    scopes: typeof tokens.scope === 'string' ? tokens.scope.split(' ').filter(Boolean) : null,
  };
}

/** Sends one token endpoint request through the guard; a request that got no answer is a temporary failure. */
async function sendTokenRequest(app: OAuthApp, send: (options: ReturnType<typeof requestOptionsFor>) => Promise<Response>): Promise<Response> {
  try {
    return await send(requestOptionsFor(app, app.tokenEndpoint));
  } catch (error) {
    throw unansweredRequestFailure(error, 'token') ?? error;
  }
}

/** The code flow's exchange (RFC 6749 4.1.3 with PKCE), the callback's parameters checked by oauth4webapi first. */
export async function exchangeAuthorizationCode(
  app: OAuthApp,
  options: { callback: URLSearchParams; redirectUri: string; codeVerifier: string; nonce: string | null },
): Promise<TokenResponse> {
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  const callback = new URLSearchParams(options.callback);
  // The state was matched by its hash already; an `iss` is checked only against an issuer the profile names.
  if (!app.issuer) callback.delete('iss');
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, client, callback, oauth.skipStateCheck);
  } catch (error) {
    throw new OAuthFailure({
      reach: 'mailbox',
      code: 'invalid_callback',
      phrase: phrase('oauth.failures.invalidCallback', { reason: unreadableReason(error) }),
    });
  }
  const response = await sendTokenRequest(app, (requestOptions) =>
    oauth.authorizationCodeGrantRequest(as, client, clientAuthenticationOf(app), parameters, options.redirectUri, options.codeVerifier, requestOptions),
  );
  return readTokenResponse(app, response, {
    idTokenCheck: { nonce: options.nonce },
    process: (server, answer, idTokenCheck) =>
      oauth.processAuthorizationCodeResponse(server, client, answer, idTokenCheck ? { expectedNonce: idTokenCheck.nonce ?? oauth.expectNoNonce, requireIdToken: true } : {}),
  });
}

/** RFC 8628 3.4: one poll of the token endpoint with the device code. */
export async function requestDeviceCodeTokens(app: OAuthApp, deviceCode: string): Promise<TokenResponse> {
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  const response = await sendTokenRequest(app, (requestOptions) => oauth.deviceCodeGrantRequest(as, client, clientAuthenticationOf(app), deviceCode, requestOptions));
  return readTokenResponse(app, response, { idTokenCheck: { nonce: null }, process: (server, answer) => oauth.processDeviceCodeResponse(server, client, answer) });
}

/** A refresh (RFC 6749 6); any id_token is left unread: who consented was settled at the connect. */
export async function requestRefreshedTokens(app: OAuthApp, refreshToken: string): Promise<TokenResponse> {
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  const additionalParameters = PROVIDERS[app.serverType].scopesOnRefresh ? { scope: app.scopes.join(' ') } : undefined;
  const response = await sendTokenRequest(app, (requestOptions) =>
    oauth.refreshTokenGrantRequest(as, client, clientAuthenticationOf(app), refreshToken, { ...requestOptions, additionalParameters }),
  );
  return readTokenResponse(app, response, { idTokenCheck: null, process: (server, answer) => oauth.processRefreshTokenResponse(server, client, answer) });
}
