import {
  GMAIL_API_SCOPES,
  GOOGLE_MAIL_SCOPE,
  GRAPH_RESOURCE,
  GRAPH_SCOPES,
  MICROSOFT_MAIL_SCOPES,
  MICROSOFT_TENANT_DOMAIN,
  MICROSOFT_TENANT_ID,
} from './lab-config';
import type { LabAccount, PersonaName } from './lab-info';

export type PersonaRoutes = {
  authorization: string;
  token: string;
  device_authorization: string;
  code_verification: string;
  userinfo: string;
  introspection: string;
  revocation: string;
  jwks: string;
};

export type PersonaDefinition = {
  name: PersonaName;
  title: string;
  mailScopes: string[];
  /** The scopes of the provider's mail API (Graph, the Gmail API). */
  apiScopes: string[];
  identityScopes: string[];
  routes: PersonaRoutes;
  claimsByScope: Record<string, string[]>;
  hasRevocationEndpoint: boolean;
  /** Where a tenant's administrator grants the app's permissions for everyone (Microsoft only). */
  adminConsentPath: string | null;
  rotatesRefreshTokens: boolean;
  refreshTokenLifetimeSeconds: number;
  /** What a device-flow client may ask for (null: anything); more is refused with `invalid_scope`. */
  deviceClientScopes: string[] | null;
  invalidGrantDescription: string;
  /** Path segment(s) under the lab's base URL: the tenant sits in Microsoft's. */
  mountPathFor(tenantSegment: string): string;
  acceptsTenant(tenantSegment: string | null): boolean;
  issuerPath: string;
  /**
   * oidc-provider issues a refresh token only for `offline_access` with `prompt=consent`.
   * Each persona translates its provider's rule into that.
   */
  adaptAuthorizationQuery(query: URLSearchParams): void;
  /** Why the provider refuses to issue one token for these scopes (`invalid_scope`), or null when it does not. */
  scopeRefusal(scopes: string[]): string | null;
  claimsOf(options: { account: LabAccount; subject: string }): Record<string, unknown>;
};

function scopesOf(query: URLSearchParams): Set<string> {
  return new Set((query.get('scope') ?? '').split(' ').filter(Boolean));
}

// Google: `access_type=offline` asks for a refresh token, and only a request that also forces the
// consent screen (`prompt=consent`) gets one.
const google: PersonaDefinition = {
  name: 'google',
  title: 'Google (lab)',
  mailScopes: [GOOGLE_MAIL_SCOPE],
  apiScopes: GMAIL_API_SCOPES,
  identityScopes: ['openid', 'email', 'profile'],
  routes: {
    authorization: '/o/oauth2/v2/auth',
    token: '/token',
    device_authorization: '/device/code',
    code_verification: '/device',
    userinfo: '/v1/userinfo',
    introspection: '/introspect',
    revocation: '/revoke',
    jwks: '/oauth2/v3/certs',
  },
  claimsByScope: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  hasRevocationEndpoint: true,
  adminConsentPath: null,
  rotatesRefreshTokens: false,
  // An app whose consent screen is in Testing status, as a fresh Google Cloud project is.
  refreshTokenLifetimeSeconds: 7 * 24 * 60 * 60,
  // Google's "TVs and Limited Input devices" clients get a short list of scopes, without Gmail's.
  deviceClientScopes: ['openid', 'email', 'profile'],
  invalidGrantDescription: 'Token has been expired or revoked.',
  mountPathFor: () => '/google',
  acceptsTenant: (tenantSegment) => tenantSegment === null,
  issuerPath: '/google',
  adaptAuthorizationQuery(query) {
    const scopes = scopesOf(query);
    scopes.delete('offline_access');
    if (query.get('access_type') === 'offline') scopes.add('offline_access');
    query.set('scope', [...scopes].join(' '));
  },
  scopeRefusal: () => null,
  claimsOf: ({ account, subject }) => ({
    sub: subject,
    email: account.email,
    email_verified: true,
    name: account.name,
  }),
};

const OIDC_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

/** The resource a Microsoft scope is for: the origin of a URL scope, Graph for a short name, none for OpenID's own. */
function microsoftResourceOf(scope: string): string | null {
  if (OIDC_SCOPES.has(scope)) return null;
  return URL.canParse(scope) ? `${new URL(scope).origin}/` : GRAPH_RESOURCE;
}

// Microsoft: `offline_access` alone asks for a refresh token, without forcing consent.
const microsoft: PersonaDefinition = {
  name: 'microsoft',
  title: 'Microsoft (lab)',
  mailScopes: MICROSOFT_MAIL_SCOPES,
  apiScopes: GRAPH_SCOPES,
  identityScopes: ['openid', 'email', 'profile', 'offline_access'],
  routes: {
    authorization: '/oauth2/v2.0/authorize',
    token: '/oauth2/v2.0/token',
    device_authorization: '/oauth2/v2.0/devicecode',
    code_verification: '/devicelogin',
    userinfo: '/oidc/userinfo',
    introspection: '/oauth2/v2.0/introspect',
    revocation: '/oauth2/v2.0/revoke',
    jwks: '/discovery/v2.0/keys',
  },
  claimsByScope: { openid: ['sub', 'tid', 'oid'], email: ['email'], profile: ['name', 'preferred_username'] },
  hasRevocationEndpoint: false,
  adminConsentPath: '/adminconsent',
  rotatesRefreshTokens: true,
  refreshTokenLifetimeSeconds: 90 * 24 * 60 * 60,
  deviceClientScopes: null,
  invalidGrantDescription:
    'AADSTS70000: The provided value for the input parameter \'refresh_token\' or \'assertion\' is not valid.',
  mountPathFor: (tenantSegment) => `/microsoft/${tenantSegment}`,
  acceptsTenant: (tenantSegment) =>
    tenantSegment !== null &&
    ['common', 'organizations', MICROSOFT_TENANT_ID, MICROSOFT_TENANT_DOMAIN].includes(tenantSegment),
  issuerPath: `/microsoft/${MICROSOFT_TENANT_ID}/v2.0`,
  adaptAuthorizationQuery(query) {
    if (!scopesOf(query).has('offline_access')) return;
    const prompts = new Set((query.get('prompt') ?? '').split(' ').filter(Boolean));
    if (prompts.has('none')) return;
    prompts.add('consent');
    query.set('prompt', [...prompts].join(' '));
  },
  // Entra ID issues an access token for one resource: scopes naming two (Exchange Online's IMAP and Graph) are refused.
  scopeRefusal(scopes) {
    const resources = new Set(scopes.flatMap((scope) => microsoftResourceOf(scope) ?? []));
    if (resources.size < 2) return null;
    return `AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scopes.join(' ')} is not valid.`;
  },
  claimsOf: ({ account, subject }) => ({
    sub: subject,
    oid: subject,
    tid: account.tenantId ?? MICROSOFT_TENANT_ID,
    email: account.email,
    preferred_username: account.email,
    name: account.name,
  }),
};

export const PERSONAS: Record<PersonaName, PersonaDefinition> = { google, microsoft };
