// What tests import to use the mail lab that tests/setup/lab.ts started for the run.
import { createHash, randomBytes } from 'node:crypto';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { Agent, fetch as undiciFetch } from 'undici';
import { inject } from 'vitest';
import { onCrlfLines } from '../../scripts/lab/crlf-lines';
import { approveDeviceCode, authorizeAsUser } from '../../scripts/lab/headless-user';
import { waitUntil } from './wait-until';
import type {
  ApiRequestCounts,
  ConnectionStats,
  Endpoint,
  IdTokenFault,
  InboxMessage,
  LabAccount,
  LabInfo,
  LiveTokens,
  MailApiFault,
  MailApiName,
  MailboxRights,
  MailPorts,
  MailProtocol,
  MailServerName,
  OAuthClient,
  PersonaName,
  ReceivedMessage,
  ServerFault,
  SmtpFault,
  TokenEndpointAuthMethod,
  TokenFault,
  TokenRequestCounts,
} from '../../scripts/lab/lab-info';

export type {
  ApiRequestCounts,
  ConnectionCount,
  ConnectionStats,
  Endpoint,
  GmailFault,
  GraphFault,
  InboxMessage,
  LabAccount,
  LabInfo,
  MailApiFault,
  MailApiName,
  MailApisInfo,
  MailboxRights,
  MailPorts,
  OAuthClient,
  PersonaName,
  ReceivedMessage,
  TokenRequestCounts,
} from '../../scripts/lab/lab-info';

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

const post = <T = unknown>(options: { path: string; body: unknown }) => callControl<T>({ method: 'POST', ...options });

/** Faults and fixtures, applied to the running lab through its control API. */
export const labControl = {
  /**
   * Clears the lab-wide faults (token endpoint, token lifetime, servers). Faults of one account or one client stay
   * until their test undoes them, since other test files reset the lab meanwhile.
   */
  reset: () => post({ path: '/reset', body: {} }),
  setTokenFault: (options: { persona: PersonaName; clientId?: string; fault: TokenFault | null }) => post({ path: '/token-fault', body: options }),
  /** With a client id, for that client's tokens only, until set back to null (other test files share the lab). */
  setAccessTokenLifetime: (options: { persona: PersonaName; clientId?: string; seconds: number | null }) =>
    post({ path: '/access-token-lifetime', body: options }),
  /**
   * Microsoft: the tenant's admin consent for the client is missing (or was revoked): its refreshes answer
   * invalid_grant AADSTS65001 until `required: false` or an admin accepts at the persona's `adminConsent` endpoint.
   */
  setAdminConsentRequired: (options: { clientId: string; required: boolean }) => post({ path: '/admin-consent', body: options }),
  /** The client's next `polls` device-code polls answer `slow_down` (RFC 8628), however slowly they come. */
  setSlowDown: (options: { persona: PersonaName; clientId: string; polls: number }) => post({ path: '/slow-down', body: options }),
  /** The client's id_tokens come back signed by a key the persona never published, for another audience, or expired; null ends it. */
  setIdTokenFault: (options: { persona: PersonaName; clientId: string; fault: IdTokenFault | null }) => post({ path: '/id-token-fault', body: options }),
  /** Access and refresh tokens the persona issued to the client for the account that still work. */
  liveTokens: (options: { persona: PersonaName; clientId: string; account: string }) =>
    callControl<LiveTokens>({ method: 'GET', path: `/live-tokens?${new URLSearchParams(options).toString()}` }),
  /** As if the user removed the app's access in their account: every grant and token of the account. */
  revokeGrants: (options: { account: string }) => post<{ revoked: number }>({ path: '/revoke-grants', body: options }),
  /** Microsoft's per-mailbox switch: SMTP AUTH then answers 535 5.7.139. */
  setSmtpAuthDisabled: (options: { account: string; disabled: boolean }) => post({ path: '/smtp-auth', body: options }),
  /**
   * The account's next `times` messages (default 1) through the Gmail- and Microsoft-like submission servers:
   * `defer` answers MAIL FROM 451 4.3.0, `stall` never answers it, `withhold_reply` relays the message and never
   * answers its DATA. `null` ends it. The account's own: other test files never meet it.
   */
  setSmtpFault: (options: { account: string; fault: SmtpFault | null; times?: number }) => post({ path: '/smtp-fault', body: options }),
  /**
   * IMAP turned off for the account, as Gmail's setting or Exchange Online's ImapEnabled does: Gmail refuses
   * the sign-in with its [ALERT]; Microsoft accepts it, then answers BAD User is authenticated but not connected.
   */
  setImapDisabled: (options: { account: string; disabled: boolean }) => post({ path: '/imap-access', body: options }),
  /** `unreachable`: connection refused; `hang`: accepted, never answered. `null` restores. */
  setServerFault: (options: { server: MailServerName; protocol?: MailProtocol; fault: ServerFault | null }) =>
    post({ path: '/server-fault', body: options }),
  receivedMessages: (options: { to?: string } = {}) =>
    callControl<ReceivedMessage[]>({
      method: 'GET',
      path: `/messages${options.to ? `?to=${encodeURIComponent(options.to)}` : ''}`,
    }),
  clearReceivedMessages: () => callControl({ method: 'DELETE', path: '/messages' }),
  registerClient: (options: {
    persona: PersonaName;
    redirectUris: string[];
    confidential?: boolean;
    deviceFlow?: boolean;
    tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  }) =>
    post<OAuthClient>({ path: '/clients', body: options }),
  createAccount: (options: { email: string; provider: LabAccount['provider']; name?: string; password?: string; tenantId?: string }) =>
    post<LabAccount>({ path: '/accounts', body: options }),
  /**
   * Requests at each persona's token endpoint by grant type, answered or not, since `resetCounters`.
   * Other test files share the lab: to count only yours, register a client and pass its id.
   */
  tokenRequests: (options: { clientId?: string } = {}) =>
    callControl<TokenRequestCounts>({
      method: 'GET',
      path: `/token-requests${options.clientId ? `?clientId=${encodeURIComponent(options.clientId)}` : ''}`,
    }),
  /**
   * Client connections at the lab's mail ports: open now, and the most open at once and the total since
   * `resetCounters`. Other test files share the lab: to count only yours, pass the id of `openMailPorts`.
   */
  connectionStats: (options: { portsId?: string } = {}) =>
    callControl<ConnectionStats>({
      method: 'GET',
      path: `/connection-stats${options.portsId ? `?portsId=${encodeURIComponent(options.portsId)}` : ''}`,
    }),
  /**
   * Token request counts and connection totals to zero, the most open at once to those open now. Without
   * options for the whole lab, under the other test files' feet; with a client id or ports id, only for those.
   */
  resetCounters: (options: { clientId?: string; portsId?: string } = {}) => post({ path: '/reset-counters', body: options }),
  /** Ports of your own for one mail server, same Dovecot and faults, counted apart; they start at zero. */
  openMailPorts: (options: { server: MailServerName }) => post<MailPorts>({ path: '/mail-ports', body: options }),
  /** The account's INBOX as Dovecot serves it, newest first: what the sink delivered to it. */
  inbox: (options: { account: string }) =>
    callControl<InboxMessage[]>({ method: 'GET', path: `/inbox?${new URLSearchParams(options).toString()}` }),
  /**
   * A fault of the Graph-like or Gmail-like API for one account (requests with its token or to its mailbox) or one
   * client id, in the provider's words and status, until set back to null; `reset` leaves it. Graph:
   * InvalidAuthenticationToken (401), ErrorAccessDenied (403), MailboxNotEnabledForRESTAPI (404). Gmail:
   * accessNotConfigured (403, the API off in the client's Cloud project), failedPrecondition (400, mail service off),
   * authError (401).
   */
  setApiFault: (options: { service: MailApiName; account?: string; clientId?: string; fault: MailApiFault | null }) =>
    post({ path: '/api-fault', body: options }),
  /** The next `requests` requests by or to the account answer 429 with `Retry-After: retryAfterSeconds`; 0 ends it. */
  setApiThrottle: (options: { service: MailApiName; account: string; requests: number; retryAfterSeconds: number }) =>
    post({ path: '/api-throttle', body: options }),
  /** Exchange Online's Full Access and Send As of `delegate` on `mailbox` (both Microsoft accounts of the lab), at Graph. */
  setDelegation: (options: { mailbox: string; delegate: string } & MailboxRights) => post({ path: '/delegation', body: options }),
  removeDelegation: (options: { mailbox: string; delegate: string }) =>
    callControl({ method: 'DELETE', path: `/delegation?${new URLSearchParams(options).toString()}` }),
  /** Requests the API received with the account's token or for its mailbox since the lab started, by HTTP status. */
  apiRequests: (options: { service: MailApiName; account: string }) =>
    callControl<ApiRequestCounts>({ method: 'GET', path: `/api-requests?${new URLSearchParams(options).toString()}` }),
};

/** The newest message of the account's INBOX about `subject`, once delivered. */
export function waitForInboxMessage(options: { account: string; subject: string }): Promise<InboxMessage> {
  return waitUntil(`"${options.subject}" in ${options.account}'s INBOX`, async () =>
    (await labControl.inbox({ account: options.account })).find((message) => message.subject === options.subject),
  );
}

export type MailApiAnswer = { status: number; headers: Headers; body: unknown };

let labCaAgent: Agent | null = null;

/**
 * One request to the lab's Graph or Gmail API (`url` under `getLab().api.*.baseUrl`), trusting the lab CA,
 * with the access token as a Bearer token when given; the body is sent as JSON.
 */
export async function callMailApi(options: { url: string; accessToken?: string; method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }): Promise<MailApiAnswer> {
  labCaAgent ??= new Agent({ connect: { ca: getLab().caCertificate } });
  const response = await undiciFetch(options.url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    dispatcher: labCaAgent,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers as unknown as Headers, body: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * The newest mail the lab's SMTP sink received for `to` about `subject` since `since`, once the relay
 * has passed it on. Runs on both databases share the lab and mail the same people: `since` tells them apart.
 */
export function waitForReceivedMail({ to, subject, since }: { to: string; subject: string; since: Date }): Promise<ReceivedMessage> {
  return waitUntil(`mail "${subject}" to ${to}`, async () =>
    (await labControl.receivedMessages({ to }))
      .filter((received) => received.subject === subject && Date.parse(received.receivedAt) >= since.getTime())
      .at(-1),
  );
}

/** The text of a single-part mail the sink received, its transfer encoding (quoted-printable, base64) undone. */
export function mailText(message: ReceivedMessage): string {
  const [headers = '', ...rest] = message.raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8').replace(/\r\n/g, '\n');
  if (encoding !== 'quoted-printable') return body.replace(/\r\n/g, '\n');
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(parseInt(code, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
}

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
}): Promise<{ code: string | null; error: string | null; errorDescription: string | null; codeVerifier: string; redirectUri: string }> {
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
  return {
    code: redirect.searchParams.get('code'),
    error: redirect.searchParams.get('error'),
    errorDescription: redirect.searchParams.get('error_description'),
    codeVerifier,
    redirectUri,
  };
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

// Small real clients: imapflow, nodemailer, and a raw POP3 exchange.

export type MailCredentials = { user: string; accessToken: string } | { user: string; pass: string };

export function trustLabCa(): ConnectionOptions {
  return { ca: [getLab().caCertificate] };
}

/** Connects with implicit TLS (or STARTTLS), logs in, opens INBOX and logs out. */
export async function imapLogin(options: {
  endpoint: Endpoint;
  security?: 'tls' | 'starttls';
  auth: MailCredentials;
  tls?: ConnectionOptions;
  /** How long to wait for the connection and the greeting; imapflow's defaults are long. */
  timeoutMs?: number;
}): Promise<void> {
  const client = new ImapFlow({
    host: options.endpoint.host,
    port: options.endpoint.port,
    secure: options.security !== 'starttls',
    doSTARTTLS: options.security === 'starttls' ? true : undefined,
    auth: options.auth,
    tls: options.tls ?? trustLabCa(),
    logger: false,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
  } finally {
    client.close();
  }
}

/** Sends one message through submission; returns the subject to look for at the sink. */
export async function sendMail(options: {
  endpoint: Endpoint;
  security: 'tls' | 'starttls';
  auth: MailCredentials;
  to: string;
  tls?: ConnectionOptions;
}): Promise<string> {
  const { endpoint, auth } = options;
  const transport = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: options.security === 'tls',
    requireTLS: options.security === 'starttls',
    auth: 'accessToken' in auth ? { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken } : auth,
    tls: options.tls ?? trustLabCa(),
  });
  const subject = `Lab message ${Math.random().toString(36).slice(2)}`;
  try {
    await transport.sendMail({ from: auth.user, to: options.to, subject, text: 'Sent through the mail lab.' });
  } finally {
    transport.close();
  }
  return subject;
}

/** The lines a server sends on `socket`, one at a time, and a way to send one. */
function lineDialogue(socket: TLSSocket): { nextLine: () => Promise<string>; send: (line: string) => void } {
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  onCrlfLines({
    socket,
    encoding: 'utf8',
    handleLine: (line) => {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    },
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(line);
      waiting.push(resolve);
      socket.once('error', reject);
    });
  return { nextLine, send: (line) => socket.write(`${line}\r\n`) };
}

function xoauth2InitialResponse(options: { user: string; accessToken: string }): string {
  return Buffer.from(`user=${options.user}\x01auth=Bearer ${options.accessToken}\x01\x01`).toString('base64');
}

/** The POP3 dialogue of RFC 1939 + RFC 5034 with XOAUTH2: resolves to the server's final answer line. */
export async function pop3Xoauth2(options: { endpoint: Endpoint; user: string; accessToken: string }): Promise<string> {
  const socket = connectTls({ host: options.endpoint.host, port: options.endpoint.port, ...trustLabCa() });
  const { nextLine, send } = lineDialogue(socket);
  try {
    const greeting = await nextLine();
    if (!greeting.startsWith('+OK')) throw new Error(`POP3 greeting: ${greeting}`);
    send(`AUTH XOAUTH2 ${xoauth2InitialResponse(options)}`);
    let answer = await nextLine();
    // A failed XOAUTH2 first sends an error challenge, which the client acknowledges with an empty line.
    if (answer.startsWith('+ ')) {
      send('');
      answer = await nextLine();
    }
    if (answer.startsWith('+OK')) {
      send('STAT');
      const stat = await nextLine();
      if (!stat.startsWith('+OK')) throw new Error(`POP3 STAT after login: ${stat}`);
      send('QUIT');
    }
    return answer;
  } finally {
    socket.destroy();
  }
}

/**
 * AUTH XOAUTH2 on implicit-TLS submission, spoken by hand so that a refusal's challenge can be read:
 * the challenge decoded (null when the server sent none) and the lines of the final reply.
 */
export async function smtpXoauth2(options: { endpoint: Endpoint; user: string; accessToken: string }): Promise<{ challenge: Record<string, unknown> | null; reply: string[] }> {
  const socket = connectTls({ host: options.endpoint.host, port: options.endpoint.port, ...trustLabCa() });
  const { nextLine, send } = lineDialogue(socket);
  const readReply = async () => {
    const reply = [await nextLine()];
    while (/^\d{3}-/.test(reply.at(-1) ?? '')) reply.push(await nextLine());
    return reply;
  };
  try {
    await readReply();
    send('EHLO lab-test.invalid');
    await readReply();
    send(`AUTH XOAUTH2 ${xoauth2InitialResponse(options)}`);
    let reply = await readReply();
    let challenge: Record<string, unknown> | null = null;
    const first = reply[0] ?? '';
    if (first.startsWith('334 ')) {
      challenge = JSON.parse(Buffer.from(first.slice(4), 'base64').toString('utf8')) as Record<string, unknown>;
      send('');
      reply = await readReply();
    }
    send('QUIT');
    return { challenge, reply };
  } finally {
    socket.destroy();
  }
}
