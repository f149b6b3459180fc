import 'server-only';
import type { OAuthApp } from './oauth-app';
import { OAuthFailure, providerText } from './oauth-failure';

export type TokenResponse = {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  expiresAt: Date;
  /** Null when the provider did not say (the requested scopes were then granted). */
  scopes: string[] | null;
};

const TIMEOUT_MS = 15_000;
const DEFAULT_LIFETIME_SECONDS = 3600;

/**
 * The tenant's admin consent page, next to the profile's authorization endpoint (…/{tenant}/oauth2/v2.0/authorize
 * → …/{tenant}/adminconsent), so that it is the authority the profile signs in with: a national cloud's, or the lab's.
 */
function adminConsentUrl(app: OAuthApp): string {
  const url = new URL(app.authorizationEndpoint);
  const authorizePath = /\/oauth2\/(?:v2\.0\/)?authorize\/?$/;
  if (authorizePath.test(url.pathname)) url.pathname = url.pathname.replace(authorizePath, '/adminconsent');
  else url.href = `https://login.microsoftonline.com/${encodeURIComponent(app.tenant ?? 'organizations')}/adminconsent`;
  url.search = new URLSearchParams({ client_id: app.clientId }).toString();
  return url.toString();
}

/** Sorts a provider's error answer into who must act: the owner, the admin, or nobody yet. */
export function classifyTokenError(app: OAuthApp, status: number, body: Record<string, unknown>): OAuthFailure {
  const code = providerText(body.error) || `http_${status}`;
  const description = providerText(body.error_description);
  const said = description ? `${code}: ${description}` : code;
  if (status >= 500 || status === 429) {
    return new OAuthFailure({
      reach: 'temporary',
      code: 'provider_unavailable',
      message: `The provider’s token endpoint answered ${status} (${said}).`,
      hint: 'This is usually temporary: Mailroom retries on its own. If it lasts, check the provider’s status page.',
    });
  }
  if (description.includes('AADSTS65001')) {
    return new OAuthFailure({
      reach: 'profile',
      code: 'admin_consent_required',
      message: `An administrator of the Microsoft 365 tenant must consent to this app first (${said}).`,
      hint: `Forward this link to a Microsoft 365 administrator: ${adminConsentUrl(app)}`,
    });
  }
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new OAuthFailure({
      reach: 'profile',
      code,
      message: `The provider refused the profile’s OAuth app (${said}).`,
      hint: 'An admin checks the client id and client secret in the server profile: the secret may have expired or been replaced at the provider. Reconnecting a mailbox does not help.',
    });
  }
  if (code === 'invalid_grant') {
    return new OAuthFailure({
      reach: 'mailbox',
      code: 'invalid_grant',
      message: `The provider no longer accepts this mailbox’s authorization (${said}).`,
      hint: 'The consent was revoked, expired or replaced: the owner connects the mailbox again.',
    });
  }
  return new OAuthFailure({
    reach: 'mailbox',
    code,
    message: `The provider refused the request (${said}).`,
    hint: 'The owner connects the mailbox again; if the provider refuses again, an admin checks the profile’s scopes and endpoints.',
  });
}

/** One POST to the token endpoint; a secret is sent only to it, in the body (client_secret_post). */
export async function requestToken(app: OAuthApp, parameters: Record<string, string>): Promise<TokenResponse> {
  const body = new URLSearchParams({ ...parameters, client_id: app.clientId });
  if (app.clientSecret) body.set('client_secret', app.clientSecret);
  let response: Response;
  try {
    response = await fetch(app.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new OAuthFailure({
      reach: 'temporary',
      code: timedOut ? 'provider_timeout' : 'provider_unreachable',
      message: timedOut
        ? `The provider’s token endpoint did not answer within ${TIMEOUT_MS / 1000} s.`
        : `The provider’s token endpoint could not be reached (${providerText((error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message)}).`,
      hint: 'Mailroom retries on its own. If it lasts, check the network between Mailroom and the provider.',
    });
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof json.access_token !== 'string') throw classifyTokenError(app, response.status, json);
  const lifetime = typeof json.expires_in === 'number' ? json.expires_in : Number(json.expires_in) || DEFAULT_LIFETIME_SECONDS;
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : null,
    idToken: typeof json.id_token === 'string' ? json.id_token : null,
    expiresAt: new Date(Date.now() + lifetime * 1000),
    scopes: typeof json.scope === 'string' ? json.scope.split(' ').filter(Boolean) : null,
  };
}
