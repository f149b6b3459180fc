// What tests import to use the mail lab that tests/setup/lab.ts started for the run.
import { createHash, randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { approveDeviceCode, authorizeAsUser } from '../../scripts/lab/headless-user';
import type {
  LabAccount,
  LabInfo,
  MailProtocol,
  MailServerName,
  OAuthClient,
  PersonaName,
  ReceivedMessage,
  ServerFault,
  TokenFault,
} from '../../scripts/lab/lab-info';

export type { Endpoint, LabAccount, LabInfo, OAuthClient, PersonaName, ReceivedMessage } from '../../scripts/lab/lab-info';

const labState = inject('lab');

/** False where Dovecot is not installed (and MAILROOM_REQUIRE_LAB is not set): `describe.skipIf(!labIsAvailable)`. */
export const labIsAvailable = labState.available;

export function getLab(): LabInfo {
  if (!labState.available) throw new Error(labState.reason);
  return labState;
}

async function callControl<T>(options: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }): Promise<T> {
  const response = await fetch(`${getLab().controlUrl}${options.path}`, {
    method: options.method,
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`Lab control ${options.path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body as T;
}

const post = <T = unknown>(path: string, body: unknown) => callControl<T>({ method: 'POST', path, body });

/** Faults and fixtures, applied to the running lab through its control API. */
export const labControl = {
  /** Clears every fault; accounts, clients, tokens and received messages stay. */
  reset: () => post('/reset', {}),
  setTokenFault: (options: { persona: PersonaName; fault: TokenFault | null }) => post('/token-fault', options),
  setAccessTokenLifetime: (options: { persona: PersonaName; seconds: number | null }) =>
    post('/access-token-lifetime', options),
  /** As if the user removed the app's access in their account: every grant and token of the account. */
  revokeGrants: (options: { account: string }) => post<{ revoked: number }>('/revoke-grants', options),
  /** Microsoft's per-mailbox switch: SMTP AUTH then answers 535 5.7.139. */
  setSmtpAuthDisabled: (options: { account: string; disabled: boolean }) => post('/smtp-auth', options),
  /** `unreachable`: connection refused; `hang`: accepted, never answered. `null` restores. */
  setServerFault: (options: { server: MailServerName; protocol?: MailProtocol; fault: ServerFault | null }) =>
    post('/server-fault', options),
  receivedMessages: (options: { to?: string } = {}) =>
    callControl<ReceivedMessage[]>({
      method: 'GET',
      path: `/messages${options.to ? `?to=${encodeURIComponent(options.to)}` : ''}`,
    }),
  clearReceivedMessages: () => callControl({ method: 'DELETE', path: '/messages' }),
  registerClient: (options: { persona: PersonaName; redirectUris: string[]; confidential?: boolean; deviceFlow?: boolean }) =>
    post<OAuthClient>('/clients', options),
  createAccount: (options: { email: string; provider: LabAccount['provider']; name?: string; password?: string }) =>
    post<LabAccount>('/accounts', options),
};

export type TokenSet = {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  expiresIn: number;
  scope: string;
};

export class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`Token endpoint answered ${status} ${error}: ${description}`);
  }
}

function defaultScopes(persona: PersonaName): string[] {
  const { identityScopes, mailScopes } = getLab().personas[persona];
  return [...identityScopes, ...mailScopes];
}

function defaultClient(persona: PersonaName): OAuthClient {
  const client = getLab().personas[persona].clients.web;
  if (!client) throw new Error(`The lab has no web client for ${persona}`);
  return client;
}

export function idTokenClaims(idToken: string): Record<string, unknown> {
  const payload = idToken.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** POSTs to the persona's token endpoint and reads a token response, or throws TokenEndpointError. */
export async function requestTokens(options: {
  persona: PersonaName;
  client: OAuthClient;
  parameters: Record<string, string>;
  signal?: AbortSignal;
}): Promise<TokenSet> {
  const { client } = options;
  const response = await fetch(getLab().personas[options.persona].endpoints.token, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      ...options.parameters,
    }),
    signal: options.signal,
  });
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { error: 'not_json', error_description: text.slice(0, 200) };
    }
  })();
  if (!response.ok) {
    throw new TokenEndpointError(response.status, String(body.error), String(body.error_description ?? ''));
  }
  return {
    accessToken: String(body.access_token),
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    idToken: typeof body.id_token === 'string' ? body.id_token : null,
    expiresIn: Number(body.expires_in),
    scope: String(body.scope ?? ''),
  };
}

/**
 * Builds an authorization URL with PKCE (S256), signs in as `account` on the lab's pages, consents,
 * and returns the authorization code with its verifier; `code` is null when consent is refused.
 */
export async function authorizeWithPkce(options: {
  persona: PersonaName;
  account: string;
  client?: OAuthClient;
  scopes?: string[];
  /** Google's `access_type` and `prompt`, Microsoft's `prompt`, or anything else to add to the URL. */
  extraParameters?: Record<string, string>;
  consent?: 'allow' | 'deny';
}): Promise<{ code: string | null; error: string | null; codeVerifier: string; redirectUri: string }> {
  const client = options.client ?? defaultClient(options.persona);
  const redirectUri = client.redirectUris[0];
  if (!redirectUri) throw new Error(`Client ${client.clientId} has no redirect URI`);
  const codeVerifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const authorizationUrl = new URL(getLab().personas[options.persona].endpoints.authorization);
  authorizationUrl.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: (options.scopes ?? defaultScopes(options.persona)).join(' '),
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    ...options.extraParameters,
  }).toString();
  const redirect = await authorizeAsUser({
    authorizationUrl: authorizationUrl.href,
    email: options.account,
    consent: options.consent,
  });
  if (redirect.searchParams.get('state') !== state) throw new Error('The authorization response lost its state');
  return { code: redirect.searchParams.get('code'), error: redirect.searchParams.get('error'), codeVerifier, redirectUri };
}

/**
 * A token set for `account` through the authorization code flow with PKCE. By default Google is
 * asked for offline access with forced consent, and Microsoft for `offline_access`, so a refresh
 * token comes with it.
 */
export async function getTokensByCodeFlow(options: {
  persona: PersonaName;
  account: string;
  client?: OAuthClient;
  scopes?: string[];
  extraParameters?: Record<string, string>;
}): Promise<TokenSet> {
  const client = options.client ?? defaultClient(options.persona);
  const extraParameters =
    options.extraParameters ?? (options.persona === 'google' ? { access_type: 'offline', prompt: 'consent' } : {});
  const { code, error, codeVerifier, redirectUri } = await authorizeWithPkce({ ...options, client, extraParameters });
  if (!code) throw new Error(`The authorization server refused: ${error ?? 'no code'}`);
  return requestTokens({
    persona: options.persona,
    client,
    parameters: { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri },
  });
}

/** A token set through the device authorization grant, approving the user code as `account`. */
export async function getTokensByDeviceFlow(options: {
  persona: PersonaName;
  account: string;
  client?: OAuthClient;
  scopes?: string[];
}): Promise<TokenSet> {
  const client = options.client ?? getLab().personas[options.persona].clients.public;
  if (!client) throw new Error(`The lab has no public client for ${options.persona}`);
  const deviceAuthorization = await requestDeviceCode({ persona: options.persona, client, scopes: options.scopes });
  await approveDeviceCode({
    verificationUri: deviceAuthorization.verification_uri,
    userCode: deviceAuthorization.user_code,
    email: options.account,
  });
  return requestTokens({
    persona: options.persona,
    client,
    parameters: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceAuthorization.device_code },
  });
}

export type DeviceAuthorization = { device_code: string; user_code: string; verification_uri: string; expires_in: number };

export async function requestDeviceCode(options: {
  persona: PersonaName;
  client: OAuthClient;
  scopes?: string[];
}): Promise<DeviceAuthorization> {
  const response = await fetch(getLab().personas[options.persona].endpoints.device, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: options.client.clientId,
      scope: (options.scopes ?? defaultScopes(options.persona)).join(' '),
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new TokenEndpointError(response.status, String(body.error), String(body.error_description ?? ''));
  }
  return body as DeviceAuthorization;
}

export function refreshTokens(options: { persona: PersonaName; refreshToken: string; client?: OAuthClient }): Promise<TokenSet> {
  return requestTokens({
    persona: options.persona,
    client: options.client ?? defaultClient(options.persona),
    parameters: { grant_type: 'refresh_token', refresh_token: options.refreshToken },
  });
}
