import { createPrivateKey, generateKeyPair, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { LAB_HOST, MICROSOFT_TENANT_ID } from './lab-config';
import type { LabAccounts } from './lab-accounts';
import type { IdTokenFault, LiveTokens, OAuthClient, PersonaInfo, PersonaName, TokenEndpointAuthMethod, TokenFault, TokenRequestCounts } from './lab-info';
import {
  adminConsentDonePage,
  adminConsentPage,
  consentPage,
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  loginPage,
} from './lab-pages';
import { listen, readBody, sendJson } from './http-utilities';
import { MemoryStore } from './memory-store';
import { PERSONAS, type PersonaDefinition } from './personas';

const DEFAULT_ACCESS_TOKEN_SECONDS = 3599;
const DAY_SECONDS = 24 * 60 * 60;
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const COUNTED_GRANT_TYPES = ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT];
const NO_GRANT_TYPE = '(none)';

export type IntrospectionClient = { clientId: string; clientSecret: string };

type PersonaFaults = {
  tokenFault: TokenFault | null;
  /** Token endpoint faults of single clients: test files running side by side each fault their own client. */
  clientTokenFaults: Map<string, TokenFault>;
  accessTokenLifetimeSeconds: number | null;
  /** Access token lifetimes of single clients, over the persona's; they stay until their test clears them. */
  clientAccessTokenLifetimes: Map<string, number>;
  /** Clients whose refresh tokens need a consent the tenant's admin has not granted (Microsoft's AADSTS65001). */
  consentRequired: Set<string>;
  /** Device-code polls still to answer `slow_down`, by client. */
  slowDownPolls: Map<string, number>;
  /** Clients whose id_tokens come back spoiled, by client. */
  idTokenFaults: Map<string, IdTokenFault>;
};

type TokenRequest = { clientId: string | null; grantType: string };
type CountTokenRequest = (request: TokenRequest) => void;

type RunningPersona = {
  definition: PersonaDefinition;
  provider: Provider;
  handleWithProvider: (req: IncomingMessage, res: ServerResponse) => void;
  store: MemoryStore;
  faults: PersonaFaults;
  countTokenRequest: CountTokenRequest;
  introspectionClient: IntrospectionClient;
  clients: Record<string, OAuthClient>;
  /**
   * Clients held to one way of sending their secret. oidc-provider takes either for both, as many
   * providers do; some (and some Entra app registrations behind proxies) accept only one.
   */
  strictAuthMethods: Map<string, TokenEndpointAuthMethod>;
};

// oidc-provider derives its mount path from originalUrl; interaction URLs need the same prefix.
const mountPathOfRequest = new WeakMap<IncomingMessage, string>();

function clientMetadataOf(options: { client: OAuthClient; definition: PersonaDefinition }): ClientMetadata {
  const { client, definition } = options;
  const usesCodeFlow = client.redirectUris.length > 0;
  const metadata: ClientMetadata = {
    client_id: client.clientId,
    redirect_uris: client.redirectUris,
    grant_types: [
      ...(usesCodeFlow ? ['authorization_code'] : []),
      'refresh_token',
      ...(client.deviceFlow ? [DEVICE_CODE_GRANT] : []),
    ],
    response_types: usesCodeFlow ? ['code'] : [],
    ...(client.deviceFlow && definition.deviceClientScopes ? { scope: definition.deviceClientScopes.join(' ') } : {}),
  };
  return client.clientSecret
    ? { ...metadata, client_secret: client.clientSecret, token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_post' }
    : { ...metadata, application_type: 'native', token_endpoint_auth_method: 'none' };
}

/** Who asked for what, from the form fields, with the client id of HTTP Basic authentication when there is one. */
function tokenRequestOf(options: { parameter: (name: string) => string | undefined; authorization: string | undefined }): TokenRequest {
  const { parameter, authorization } = options;
  const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
  const basicClientId = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : undefined;
  const clientId = parameter('client_id') ?? (basicClientId ? decodeFormComponent(basicClientId) : null);
  return { clientId, grantType: parameter('grant_type') || NO_GRANT_TYPE };
}

// RFC 6749 2.3.1 form-encodes the Basic credentials; a malformed one is still counted, as sent.
function decodeFormComponent(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

type SigningKey = { jwk: Record<string, unknown>; kid: string; privateKey: KeyObject };

async function createSigningKey(): Promise<SigningKey> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { jwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }, kid, privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })) };
}

/** An RS256 JWT with the persona's key id: signed with `privateKey`, which may be one the persona never published. */
function signJwt(options: { claims: Record<string, unknown>; kid: string; privateKey: KeyObject }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: options.kid })}.${encode(options.claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), options.privateKey).toString('base64url')}`;
}

/** The id_token as a client with a fault receives it: same claims otherwise, so only the fault can make it fail. */
function spoilIdToken(options: { idToken: string; fault: IdTokenFault; signingKey: SigningKey; foreignKey: KeyObject }): string {
  const { idToken, fault, signingKey, foreignKey } = options;
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  if (fault === 'other_audience') claims.aud = 'another-client-of-the-lab';
  if (fault === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  return signJwt({ claims, kid: signingKey.kid, privateKey: fault === 'foreign_key' ? foreignKey : signingKey.privateKey });
}

function parseInteractionPath(path: string): { uid: string; action: 'show' | 'login' | 'consent' } | null {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(path);
  if (!match?.[1]) return null;
  return { uid: match[1], action: (match[2] as 'login' | 'consent' | undefined) ?? 'show' };
}

/** Both personas on one loopback HTTP server: `/google/...` and `/microsoft/{tenant}/...`. */
export class AuthorizationServer {
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly accounts: LabAccounts,
    private readonly personas: Record<PersonaName, RunningPersona>,
    /** Keyed by persona, client id and grant type, one per line. */
    private readonly tokenRequests: Map<string, number>,
  ) {}

  static async start(options: {
    accounts: LabAccounts;
    clients: Record<PersonaName, Record<string, OAuthClient>>;
  }): Promise<AuthorizationServer> {
    const server = createServer();
    const port = await listen({ server, host: LAB_HOST });
    const baseUrl = `http://${LAB_HOST}:${port}`;
    const tokenRequests = new Map<string, number>();
    const countTokenRequestOf =
      (persona: PersonaName): CountTokenRequest =>
      ({ clientId, grantType }) => {
        const key = [persona, clientId ?? '', grantType].join('\n');
        tokenRequests.set(key, (tokenRequests.get(key) ?? 0) + 1);
      };
    const [google, microsoft] = await Promise.all(
      (['google', 'microsoft'] as const).map((name) =>
        createPersona({
          definition: PERSONAS[name],
          baseUrl,
          accounts: options.accounts,
          clients: options.clients[name],
          countTokenRequest: countTokenRequestOf(name),
        }),
      ),
    );
    if (!google || !microsoft) throw new Error('Both personas must start');
    const authorizationServer = new AuthorizationServer(server, baseUrl, options.accounts, { google, microsoft }, tokenRequests);
    server.on('request', (req, res) => {
      authorizationServer.handleRequest(req, res).catch((error: unknown) => {
        console.error('lab authorization server:', error);
        if (!res.headersSent) sendJson({ res, status: 500, body: { error: 'server_error' } });
      });
    });
    return authorizationServer;
  }

  personaInfo(name: PersonaName): PersonaInfo {
    const { definition, clients } = this.personas[name];
    const tenant = name === 'microsoft' ? MICROSOFT_TENANT_ID : null;
    const base = `${this.baseUrl}${definition.mountPathFor(tenant ?? '')}`;
    return {
      name,
      issuer: `${this.baseUrl}${definition.issuerPath}`,
      tenant,
      endpoints: {
        authorization: base + definition.routes.authorization,
        token: base + definition.routes.token,
        device: base + definition.routes.device_authorization,
        revocation: definition.hasRevocationEndpoint ? base + definition.routes.revocation : null,
        adminConsent: definition.adminConsentPath ? base + definition.adminConsentPath : null,
        userinfo: base + definition.routes.userinfo,
        introspection: base + definition.routes.introspection,
        discovery: `${base}/.well-known/openid-configuration`,
        jwks: base + definition.routes.jwks,
      },
      mailScopes: definition.mailScopes,
      apiScopes: definition.apiScopes,
      identityScopes: definition.identityScopes,
      clients,
    };
  }

  introspectionClient(name: PersonaName): IntrospectionClient {
    return this.personas[name].introspectionClient;
  }

  setTokenFault(options: { persona: PersonaName; clientId?: string; fault: TokenFault | null }): void {
    const { faults } = this.personas[options.persona];
    if (options.clientId === undefined) faults.tokenFault = options.fault;
    else if (options.fault === null) faults.clientTokenFaults.delete(options.clientId);
    else faults.clientTokenFaults.set(options.clientId, options.fault);
  }

  setAccessTokenLifetime(options: { persona: PersonaName; clientId?: string; seconds: number | null }): void {
    const { faults } = this.personas[options.persona];
    if (options.clientId === undefined) faults.accessTokenLifetimeSeconds = options.seconds;
    else if (options.seconds === null) faults.clientAccessTokenLifetimes.delete(options.clientId);
    else faults.clientAccessTokenLifetimes.set(options.clientId, options.seconds);
  }

  /** As if the tenant's admin consent for the app were missing or revoked: its refreshes answer AADSTS65001 until granted. */
  setAdminConsentRequired(options: { clientId: string; required: boolean }): void {
    const { consentRequired } = this.personas.microsoft.faults;
    if (options.required) consentRequired.add(options.clientId);
    else consentRequired.delete(options.clientId);
  }

  /** The client's next `polls` device-code polls answer `slow_down` (RFC 8628), whenever they come. */
  setSlowDown(options: { persona: PersonaName; clientId: string; polls: number }): void {
    const { slowDownPolls } = this.personas[options.persona].faults;
    if (options.polls > 0) slowDownPolls.set(options.clientId, options.polls);
    else slowDownPolls.delete(options.clientId);
  }

  /** The client's id_tokens come back spoiled by `fault` from now on; null ends it. */
  setIdTokenFault(options: { persona: PersonaName; clientId: string; fault: IdTokenFault | null }): void {
    const { idTokenFaults } = this.personas[options.persona].faults;
    if (options.fault) idTokenFaults.set(options.clientId, options.fault);
    else idTokenFaults.delete(options.clientId);
  }

  /** What still works of what the persona issued to `clientId` for `email`: a revoked token is gone. */
  liveTokens(options: { persona: PersonaName; clientId: string; email: string }): LiveTokens {
    const accountId = this.accounts.subjectOf({ persona: options.persona, email: options.email });
    return this.personas[options.persona].store.liveTokensOf({ accountId, clientId: options.clientId });
  }

  /** The faults of a whole persona; those of one client stay. */
  clearPersonaFaults(): void {
    for (const { faults } of Object.values(this.personas)) {
      faults.tokenFault = null;
      faults.accessTokenLifetimeSeconds = null;
    }
  }

  /** Every request at the token endpoints since the last reset, or those of one client. */
  tokenRequestCounts(options: { clientId?: string }): TokenRequestCounts {
    const zeros = () => Object.fromEntries(COUNTED_GRANT_TYPES.map((grantType) => [grantType, 0]));
    const counts: TokenRequestCounts = { google: zeros(), microsoft: zeros() };
    for (const [key, count] of this.tokenRequests) {
      const [persona, clientId, grantType] = key.split('\n') as [PersonaName, string, string];
      if (options.clientId !== undefined && clientId !== options.clientId) continue;
      counts[persona][grantType] = (counts[persona][grantType] ?? 0) + count;
    }
    return counts;
  }

  resetTokenRequestCounts(options: { clientId?: string }): void {
    for (const key of this.tokenRequests.keys()) {
      if (options.clientId === undefined || key.split('\n')[1] === options.clientId) this.tokenRequests.delete(key);
    }
  }

  /** What a user does at myaccount.google.com or in Entra: every grant of the account, and its tokens, are gone. */
  revokeGrants(options: { email: string }): number {
    const account = this.accounts.find(options.email);
    if (!account || account.provider === 'password') throw new Error(`No OAuth account ${options.email} in the lab`);
    const { store } = this.personas[account.provider];
    const grantIds = store.grantIdsOfAccount(this.accounts.subjectOf({ persona: account.provider, email: account.email }));
    for (const grantId of grantIds) store.revokeGrant(grantId);
    return grantIds.length;
  }

  async registerClient(options: {
    persona: PersonaName;
    redirectUris: string[];
    confidential: boolean;
    deviceFlow: boolean;
    tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  }): Promise<OAuthClient> {
    const persona = this.personas[options.persona];
    const clientId =
      options.persona === 'google' ? `lab-${randomBytes(6).toString('hex')}.apps.googleusercontent.lab.test` : randomUUID();
    const client: OAuthClient = {
      clientId,
      ...(options.confidential ? { clientSecret: randomBytes(18).toString('base64url') } : {}),
      redirectUris: options.redirectUris,
      deviceFlow: options.deviceFlow,
      ...(options.confidential && options.tokenEndpointAuthMethod ? { tokenEndpointAuthMethod: options.tokenEndpointAuthMethod } : {}),
    };
    await persona.store.adapterFactory('Client').upsert(clientId, clientMetadataOf({ client, definition: persona.definition }));
    if (client.tokenEndpointAuthMethod) persona.strictAuthMethods.set(clientId, client.tokenEndpointAuthMethod);
    return client;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const match = /^\/(google|microsoft)(?:\/([^/]+))?(\/.*)?$/.exec(url.pathname);
    const personaName = match?.[1] as PersonaName | undefined;
    if (!match || !personaName) return sendJson({ res, status: 404, body: { error: 'not_found' } });
    const { definition } = this.personas[personaName];
    const tenantSegment = personaName === 'microsoft' ? (match[2] ?? null) : null;
    if (!definition.acceptsTenant(tenantSegment)) {
      return sendJson({
        res,
        status: 400,
        body: { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenantSegment ?? ''}' not found.` },
      });
    }
    const mountPath = definition.mountPathFor(tenantSegment ?? '');
    const path = url.pathname.slice(mountPath.length) || '/';
    await this.handlePersonaRequest({ req, res, persona: this.personas[personaName], mountPath, path, query: url.searchParams });
  }

  private async handlePersonaRequest(options: {
    req: IncomingMessage;
    res: ServerResponse;
    persona: RunningPersona;
    mountPath: string;
    path: string;
    query: URLSearchParams;
  }): Promise<void> {
    const { req, res, persona, mountPath, path, query } = options;
    const { definition, faults, countTokenRequest } = persona;
    const interaction = parseInteractionPath(path);
    if (interaction) {
      mountPathOfRequest.set(req, mountPath);
      return this.handleInteraction({ req, res, persona, mountPath, ...interaction });
    }
    if (definition.adminConsentPath && path === definition.adminConsentPath) {
      return this.handleAdminConsent({ req, res, persona, action: `${mountPath}${path}?${query.toString()}`, clientId: query.get('client_id') ?? '' });
    }
    if (path === definition.routes.authorization && req.method === 'GET') {
      const refusal = definition.scopeRefusal(scopesOf(query.get('scope')));
      if (refusal) return this.refuseAuthorization({ res, persona, query, description: refusal });
    }
    let providerRequest = req;
    let form: URLSearchParams | null = null;
    const isTokenRequest = path === definition.routes.token && req.method === 'POST';
    const authenticatedRoutes = [definition.routes.token, definition.routes.revocation, definition.routes.device_authorization];
    // Which client asks, and for what, is in the body: read it once, then hand oidc-provider a copy.
    if (req.method === 'POST' && authenticatedRoutes.includes(path)) {
      const body = await readBody(req);
      form = new URLSearchParams(body);
      providerRequest = replayRequest({ original: req, body });
    }
    const request = tokenRequestOf({ parameter: (name) => form?.get(name) ?? undefined, authorization: req.headers.authorization });
    const countRefusedTokenRequest = () => {
      if (isTokenRequest) countTokenRequest(request);
    };
    if (form) {
      const authRefusal = strictAuthMethodRefusal({ persona, form, authorization: req.headers.authorization });
      if (authRefusal) {
        countRefusedTokenRequest();
        return sendJson({ res, status: 401, body: authRefusal });
      }
      const scopeRefusal = form.has('scope') ? definition.scopeRefusal(scopesOf(form.get('scope'))) : null;
      if (scopeRefusal) {
        countRefusedTokenRequest();
        return sendJson({ res, status: 400, body: entraErrorAnswer({ error: 'invalid_scope', code: 28000, description: scopeRefusal }) });
      }
    }
    if (isTokenRequest) {
      const tokenFault = faults.tokenFault ?? (request.clientId ? faults.clientTokenFaults.get(request.clientId) : undefined);
      if (tokenFault) {
        countRefusedTokenRequest();
        return answerWithTokenFault({ res, fault: tokenFault, definition });
      }
      const refusal = await this.clientFaultAnswer({ persona, request });
      if (refusal) {
        countRefusedTokenRequest();
        return sendJson({ res, status: 400, body: refusal });
      }
    }
    if (path === definition.routes.authorization && req.method === 'GET') definition.adaptAuthorizationQuery(query);
    const search = query.toString();
    const providerUrl = `${path}${search ? `?${search}` : ''}`;
    mountPathOfRequest.set(providerRequest, mountPath);
    Object.assign(providerRequest, { originalUrl: `${mountPath}${providerUrl}`, url: providerUrl });
    persona.handleWithProvider(providerRequest, res);
  }

  /**
   * An authorization request the provider refuses before any sign-in: back to the client's redirect URI
   * with the error, as OAuth wants, or an error page when the redirect URI is not the client's.
   */
  private async refuseAuthorization(options: { res: ServerResponse; persona: RunningPersona; query: URLSearchParams; description: string }): Promise<void> {
    const { res, persona, query, description } = options;
    const client = await persona.provider.Client.find(query.get('client_id') ?? '');
    const redirectUri = query.get('redirect_uri') ?? '';
    const fields = { error: 'invalid_scope', error_description: description };
    if (!client?.redirectUris?.includes(redirectUri)) return sendHtml({ res, status: 400, html: errorPage({ fields }) });
    const location = new URL(redirectUri);
    for (const [name, value] of Object.entries({ ...fields, ...(query.has('state') ? { state: query.get('state') ?? '' } : {}) })) {
      location.searchParams.set(name, value);
    }
    res.writeHead(302, { location: location.href, 'cache-control': 'no-store' });
    res.end();
  }

  /** The answer a per-client fault gives this token request, or null when none applies. */
  private async clientFaultAnswer(options: { persona: RunningPersona; request: TokenRequest }): Promise<Record<string, unknown> | null> {
    const { faults, provider } = options.persona;
    const { clientId, grantType } = options.request;
    if (!clientId) return null;
    const slowDowns = faults.slowDownPolls.get(clientId) ?? 0;
    if (grantType === DEVICE_CODE_GRANT && slowDowns > 0) {
      if (slowDowns === 1) faults.slowDownPolls.delete(clientId);
      else faults.slowDownPolls.set(clientId, slowDowns - 1);
      return { error: 'slow_down', error_description: 'The client is polling too quickly: wait 5 seconds longer between polls from now on.' };
    }
    if (grantType === 'refresh_token' && faults.consentRequired.has(clientId)) {
      const client = await provider.Client.find(clientId);
      return consentRequiredAnswer({ clientId, clientName: client?.clientName ?? clientId });
    }
    return null;
  }

  /**
   * Microsoft's admin consent endpoint: an administrator of the tenant grants the app's permissions
   * for everyone, which ends the client's AADSTS65001. The lab's sign-in pages take anyone, so the
   * administrator only names themself; Microsoft then redirects to the app, the lab shows a page.
   */
  private async handleAdminConsent(options: { req: IncomingMessage; res: ServerResponse; persona: RunningPersona; action: string; clientId: string }): Promise<void> {
    const { req, res, persona, action, clientId } = options;
    const client = clientId ? await persona.provider.Client.find(clientId) : undefined;
    if (!client) {
      return sendHtml({ res, status: 400, html: errorPage({ fields: { error: 'invalid_client', error_description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.` } }) });
    }
    const clientName = client.clientName ?? client.clientId;
    if (req.method !== 'POST') return sendHtml({ res, status: 200, html: adminConsentPage({ action, clientName, error: null }) });
    const form = new URLSearchParams(await readBody(req));
    if (form.get('decision') !== 'allow') return sendHtml({ res, status: 200, html: adminConsentDonePage({ clientName, granted: false }) });
    const admin = this.accounts.find(form.get('email')?.trim() ?? '');
    if (admin?.provider !== 'microsoft') {
      return sendHtml({ res, status: 200, html: adminConsentPage({ action, clientName, error: 'Sign in with an account of this organization.' }) });
    }
    persona.faults.consentRequired.delete(clientId);
    sendHtml({ res, status: 200, html: adminConsentDonePage({ clientName, granted: true }) });
  }

  private async handleInteraction(options: {
    req: IncomingMessage;
    res: ServerResponse;
    persona: RunningPersona;
    mountPath: string;
    uid: string;
    action: 'show' | 'login' | 'consent';
  }): Promise<void> {
    const { req, res, persona, mountPath, uid, action } = options;
    const { provider, definition } = persona;
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendJson({ res, status: 400, body: { error: 'interaction_mismatch' } });
    const interactionUrl = `${mountPath}/interaction/${uid}`;
    const personaAccounts = this.accounts.list().filter((account) => account.provider === definition.name);

    if (action === 'login' && req.method === 'POST') {
      const email = new URLSearchParams(await readBody(req)).get('email')?.trim() ?? '';
      const account = this.accounts.find(email);
      if (!account || account.provider !== definition.name) {
        return sendHtml({
          res,
          status: 200,
          html: loginPage({
            providerTitle: definition.title,
            action: `${interactionUrl}/login`,
            accounts: personaAccounts.map((known) => known.email),
            error: `Couldn't find an account ${email} at ${definition.title}.`,
          }),
        });
      }
      const accountId = this.accounts.subjectOf({ persona: definition.name, email: account.email });
      return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }

    if (action === 'consent' && req.method === 'POST') {
      const decision = new URLSearchParams(await readBody(req)).get('decision');
      if (decision !== 'allow') {
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user did not consent.' },
          { mergeWithLastSubmission: false },
        );
      }
      const accountId = details.session?.accountId;
      const clientId = details.params.client_id;
      if (!accountId || typeof clientId !== 'string') return sendJson({ res, status: 400, body: { error: 'no_session' } });
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) return sendJson({ res, status: 400, body: { error: 'grant_not_found' } });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }

    if (details.prompt.name === 'login') {
      return sendHtml({
        res,
        status: 200,
        html: loginPage({
          providerTitle: definition.title,
          action: `${interactionUrl}/login`,
          accounts: personaAccounts.map((account) => account.email),
          error: null,
        }),
      });
    }
    const client = await provider.Client.find(String(details.params.client_id));
    const account = this.accounts.findBySubject({ persona: definition.name, subject: details.session?.accountId ?? '' });
    return sendHtml({
      res,
      status: 200,
      html: consentPage({
        providerTitle: definition.title,
        action: `${interactionUrl}/consent`,
        clientName: client?.clientName ?? client?.clientId ?? 'An application',
        account: account?.email ?? 'unknown account',
        scopes: String(details.params.scope ?? '').split(' ').filter(Boolean),
      }),
    });
  }
}

function sendHtml(options: { res: ServerResponse; status: number; html: string }): void {
  options.res.writeHead(options.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  options.res.end(options.html);
}

/** The request as it came, body included, for oidc-provider once the lab has read the body itself. */
function replayRequest(options: { original: IncomingMessage; body: string }): IncomingMessage {
  const { original } = options;
  const replay = new IncomingMessage(original.socket);
  Object.assign(replay, {
    method: original.method,
    url: original.url,
    headers: original.headers,
    rawHeaders: original.rawHeaders,
    httpVersion: original.httpVersion,
    httpVersionMajor: original.httpVersionMajor,
    httpVersionMinor: original.httpVersionMinor,
    // Read to its end, an incomplete message would take the client's socket down with it.
    complete: true,
  });
  replay.push(Buffer.from(options.body, 'utf8'));
  replay.push(null);
  return replay;
}

/** The refusal of a client held to one authentication method that used the other; null when it did not. */
function strictAuthMethodRefusal(options: {
  persona: RunningPersona;
  form: URLSearchParams;
  authorization: string | undefined;
}): Record<string, unknown> | null {
  const { persona, form, authorization } = options;
  const { clientId } = tokenRequestOf({ parameter: (name) => form.get(name) ?? undefined, authorization });
  const required = clientId ? persona.strictAuthMethods.get(clientId) : undefined;
  if (!required) return null;
  const used = /^Basic /i.test(authorization ?? '') ? 'client_secret_basic' : form.has('client_secret') ? 'client_secret_post' : null;
  if (used === required) return null;
  return { error: 'invalid_client', error_description: `client authentication failed: this client authenticates with ${required} only` };
}

/** An error of Entra ID's token endpoint in its shape (seen in public reports): the AADSTS code leads the description. */
function entraErrorAnswer(options: { error: string; code: number; description: string; suberror?: string }): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return {
    error: options.error,
    error_description: `${options.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [options.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    ...(options.suberror ? { suberror: options.suberror } : {}),
  };
}

/** Entra ID's answer to a refresh whose app lacks the consent. */
function consentRequiredAnswer(options: { clientId: string; clientName: string }): Record<string, unknown> {
  return entraErrorAnswer({
    error: 'invalid_grant',
    code: 65001,
    description: `AADSTS65001: The user or administrator has not consented to use the application with ID '${options.clientId}' named '${options.clientName}'. Send an interactive authorization request for this user and resource.`,
    suberror: 'consent_required',
  });
}

function scopesOf(scope: string | null): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}

function answerWithTokenFault(options: { res: ServerResponse; fault: TokenFault; definition: PersonaDefinition }): void {
  const { res, fault, definition } = options;
  if (fault === 'hang') return;
  if (fault === 'server_error') {
    return sendJson({ res, status: 500, body: { error: 'server_error', error_description: 'Backend Error' } });
  }
  sendJson({ res, status: 400, body: { error: 'invalid_grant', error_description: definition.invalidGrantDescription } });
}

async function createPersona(options: {
  definition: PersonaDefinition;
  baseUrl: string;
  accounts: LabAccounts;
  clients: Record<string, OAuthClient>;
  countTokenRequest: CountTokenRequest;
}): Promise<RunningPersona> {
  const { definition, baseUrl, accounts, clients, countTokenRequest } = options;
  const store = new MemoryStore();
  const faults: PersonaFaults = {
    tokenFault: null,
    clientTokenFaults: new Map(),
    accessTokenLifetimeSeconds: null,
    clientAccessTokenLifetimes: new Map(),
    consentRequired: new Set(),
    slowDownPolls: new Map(),
    idTokenFaults: new Map(),
  };
  const [signingKey, foreignKey] = await Promise.all([createSigningKey(), createSigningKey()]);
  const introspectionClient: IntrospectionClient = {
    clientId: `dovecot-${definition.name}`,
    clientSecret: randomBytes(24).toString('hex'),
  };
  const accountOf = (subject: string) => accounts.findBySubject({ persona: definition.name, subject });
  const clientNameOf = (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'your device';

  const configuration: Configuration = {
    adapter: store.adapterFactory,
    clients: [
      ...Object.values(clients).map((client) => clientMetadataOf({ client, definition })),
      {
        client_id: introspectionClient.clientId,
        client_secret: introspectionClient.clientSecret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey.jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: definition.claimsByScope,
    scopes: ['openid', 'offline_access', ...definition.identityScopes, ...definition.mailScopes, ...definition.apiScopes],
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    routes: definition.routes,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // Dovecot's client may introspect every token of its persona; any other client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) =>
          client.clientId === introspectionClient.clientId || token.clientId === client.clientId,
      },
      revocation: {
        enabled: definition.hasRevocationEndpoint,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx, form, _out, error) => {
          ctx.body = deviceInputPage({ form, error: Boolean(error) });
        },
        userCodeConfirmSource: (ctx, form, _client, _deviceInfo, userCode) => {
          ctx.body = deviceConfirmPage({ form, clientName: clientNameOf(ctx), userCode });
        },
        successSource: (ctx) => {
          ctx.body = deviceSuccessPage({ clientName: clientNameOf(ctx) });
        },
      },
    },
    interactions: {
      url: (ctx, interaction) => `${mountPathOfRequest.get(ctx.req) ?? ''}/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx, subject) => {
      const account = accountOf(subject);
      if (!account) return undefined;
      return { accountId: subject, claims: () => ({ ...definition.claimsOf({ account, subject }), sub: subject }) };
    },
    extraTokenClaims: (_ctx, token) => {
      const account = 'accountId' in token && token.accountId ? accountOf(token.accountId) : undefined;
      return account ? { email: account.email } : undefined;
    },
    ttl: {
      AccessToken: (_ctx, _token, client) =>
        (client && faults.clientAccessTokenLifetimes.get(client.clientId)) ?? faults.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS,
      AuthorizationCode: 60,
      DeviceCode: 900,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * DAY_SECONDS,
      Grant: 365 * DAY_SECONDS,
      RefreshToken: definition.refreshTokenLifetimeSeconds,
    },
    rotateRefreshToken: () => definition.rotatesRefreshTokens,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage({ fields: { ...out } });
    },
  };

  const provider = new Provider(`${baseUrl}${definition.issuerPath}`, configuration);
  provider.on('server_error', (_ctx, error) => console.error(`lab ${definition.name} persona:`, error));
  // Counted once the provider has read the form, whatever it answers, before the answer leaves.
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      if (ctx.oidc?.route === 'token') {
        const form = ctx.oidc.body ?? {};
        countTokenRequest(
          tokenRequestOf({
            parameter: (name) => (typeof form[name] === 'string' ? form[name] : undefined),
            authorization: ctx.get('authorization') || undefined,
          }),
        );
      }
    }
  });
  provider.use(async (ctx, next) => {
    await next();
    const clientId = ctx.oidc?.client?.clientId;
    const fault = clientId ? faults.idTokenFaults.get(clientId) : undefined;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (fault && ctx.oidc?.route === 'token' && ctx.status === 200 && typeof body?.id_token === 'string') {
      body.id_token = spoilIdToken({ idToken: body.id_token, fault, signingKey, foreignKey: foreignKey.privateKey });
    }
  });
  if (!definition.rotatesRefreshTokens) {
    // Google answers a refresh without a refresh_token: the client keeps the one it has.
    provider.use(async (ctx, next) => {
      await next();
      const isRefresh = ctx.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token';
      if (isRefresh && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
        delete (ctx.body as Record<string, unknown>).refresh_token;
      }
    });
  }
  return {
    definition,
    provider,
    handleWithProvider: provider.callback(),
    store,
    faults,
    countTokenRequest,
    introspectionClient,
    clients,
    strictAuthMethods: new Map(
      Object.values(clients).flatMap((client) => (client.tokenEndpointAuthMethod ? [[client.clientId, client.tokenEndpointAuthMethod] as const] : [])),
    ),
  };
}
