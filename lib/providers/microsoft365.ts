import type { MessagePath } from '@/lib/i18n/text';
import { isApiProtocol, NO_LOCATION, providerText, type MailProtocol, type Provider, type TokenErrorContext, type TokenErrorReading } from './provider';

const OUTLOOK_RESOURCE = 'https://outlook.office.com';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_API_ROOT = `${GRAPH_RESOURCE}/v1.0`;

// Graph's own scopes go by their short names, which Microsoft reads as Graph's.
const SOCKET_SCOPES = {
  imap: `${OUTLOOK_RESOURCE}/IMAP.AccessAsUser.All`,
  pop3: `${OUTLOOK_RESOURCE}/POP.AccessAsUser.All`,
  smtp: `${OUTLOOK_RESOURCE}/SMTP.Send`,
};
// The .Shared scopes let a delegate reach a shared mailbox (with its Full Access and Send As rights);
// like the others, a user consents to them without an administrator.
const GRAPH_INCOMING_SCOPES = ['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'User.Read'];
const GRAPH_OUTGOING_SCOPES = ['Mail.Send', 'Mail.Send.Shared', 'User.Read'];

const TENANT_KEYWORDS = ['common', 'organizations', 'consumers'] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 60 * 60 * 1000;

export function isTenantId(tenant: string | null | undefined): boolean {
  return GUID.test(tenant?.trim() ?? '');
}

/**
 * The Microsoft 365 tenant a shared mailbox's delegate must sign in from: the profile's tenant when
 * it is an id; for a domain tenant, the id in the issuer the profile names (Microsoft's v2.0 issuer is
 * …/{tenant id}/v2.0, and id_tokens are verified against it). Null when the profile pins none:
 * `common`, `organizations` and `consumers` let any organization's accounts in.
 */
export function delegateTenantOf(app: { tenant: string | null; issuer: string | null }): string | null {
  const tenant = app.tenant?.trim().toLowerCase() ?? '';
  if (!tenant || (TENANT_KEYWORDS as readonly string[]).includes(tenant)) return null;
  if (isTenantId(tenant)) return tenant;
  return app.issuer?.match(new RegExp(GUID.source.slice(1, -1), 'i'))?.[0]?.toLowerCase() ?? null;
}

/**
 * The tenant's admin consent page, next to the profile's authorization endpoint (…/{tenant}/oauth2/v2.0/authorize
 * → …/{tenant}/adminconsent), or its token endpoint on a device-flow profile that has none, so that it is the authority the profile signs in with: a national cloud's, or the lab's.
 */
function adminConsentUrl(context: TokenErrorContext): string {
  const url = new URL(context.authorizationEndpoint ?? context.tokenEndpoint);
  const authorityPath = /\/oauth2\/(?:v2\.0\/)?(?:authorize|token)\/?$/;
  if (authorityPath.test(url.pathname)) url.pathname = url.pathname.replace(authorityPath, '/adminconsent');
  else url.href = `https://login.microsoftonline.com/${encodeURIComponent(context.tenant ?? 'organizations')}/adminconsent`;
  url.search = new URLSearchParams({ client_id: context.clientId }).toString();
  return url.toString();
}

// A type-only import keeps the messages out of the browser, which loads this descriptor too.
const ADMIN_CONSENT_REQUIRED: MessagePath = 'oauth.failures.adminConsentRequired';

/** Microsoft identity platform codes (AADSTS…) that say more than the OAuth error code beside them. */
export function readMicrosoftTokenError(context: TokenErrorContext): TokenErrorReading | null {
  if (context.description.includes('AADSTS65001')) {
    return {
      reach: 'profile',
      code: 'admin_consent_required',
      phrase: { key: ADMIN_CONSENT_REQUIRED, values: { said: context.said, url: adminConsentUrl(context) } },
    };
  }
  return null;
}

export const microsoft365: Provider<'microsoft365'> = {
  id: 'microsoft365',
  label: 'Microsoft 365',
  company: 'Microsoft',
  authTypes: ['oauth2_code', 'oauth2_device'],
  authTypeRefusals: { password: 'providers.microsoft365.refusals.password' },
  authTypeHint: null,
  publicClientRefusal: null,
  fixedTokenEndpointAuthMethod: 'client_secret_post',
  tenant: {
    keywords: TENANT_KEYWORDS,
    problem: 'providers.microsoft365.tenantProblem',
    formHint: 'providers.microsoft365.tenantHint',
  },
  testingApps: null,
  // Microsoft's keys are known for any tenant, but only a tenant id fixes its issuer: the preset has keys without one.
  knownSigningKeys: true,
  namesItsServers: true,
  // Microsoft's national clouds are included (US Government GCC High and DoD, China operated by 21Vianet).
  pinnedHosts: [
    'login.microsoftonline.com',
    'login.microsoftonline.us',
    'login.partner.microsoftonline.cn',
    'login.chinacloudapi.cn',
    'graph.microsoft.com',
    'graph.microsoft.us',
    'dod-graph.microsoft.us',
    'microsoftgraph.chinacloudapi.cn',
  ],
  incomingProtocols: ['imap', 'pop3', 'graph'],
  outgoingProtocols: ['smtp', 'graph'],
  // Which direction a Graph scope serves is known from the profile's protocols: both lists are Graph's.
  mailScopes: { imap: [SOCKET_SCOPES.imap], pop3: [SOCKET_SCOPES.pop3], smtp: [SOCKET_SCOPES.smtp], graph: [...new Set([...GRAPH_INCOMING_SCOPES, ...GRAPH_OUTGOING_SCOPES])] },
  resourceOf: (protocol: MailProtocol) => (protocol === 'graph' ? GRAPH_RESOURCE : OUTLOOK_RESOURCE),
  apiProtocol: 'graph',
  authorizationParameters: {},
  // Microsoft wants the scopes again on every refresh.
  scopesOnRefresh: true,
  sharedMailboxes: true,
  // A refresh token unused for 90 days dies; warn after 60.
  idleRefreshTokens: { staleAfterMs: 60 * DAY_MS, lifetimeMs: 90 * DAY_MS },
  ownerMailSwitch: null,

  preset({ authType, tenant, incomingProtocol, outgoingProtocol }) {
    const usesGraph = incomingProtocol === 'graph' || outgoingProtocol === 'graph';
    const incomingScopes = incomingProtocol === 'graph' ? GRAPH_INCOMING_SCOPES : [SOCKET_SCOPES[incomingProtocol === 'pop3' ? 'pop3' : 'imap']];
    const outgoingScopes = outgoingProtocol === 'graph' ? GRAPH_OUTGOING_SCOPES : [SOCKET_SCOPES.smtp];
    const tenantPath = encodeURIComponent(tenant?.trim() || 'organizations');
    const base = `https://login.microsoftonline.com/${tenantPath}/oauth2/v2.0`;
    return {
      endpoints: {
        authorization: `${base}/authorize`,
        token: `${base}/token`,
        device: authType === 'oauth2_device' ? `${base}/devicecode` : null,
        // Microsoft has no token revocation endpoint.
        revocation: null,
        userinfo: 'https://graph.microsoft.com/oidc/userinfo',
        jwks: `https://login.microsoftonline.com/${tenantPath}/discovery/v2.0/keys`,
        api: usesGraph ? GRAPH_API_ROOT : null,
      },
      // Microsoft's id_tokens name the account's own tenant in their issuer: only a tenant id fixes it.
      // For common, organizations, consumers or a domain, the account comes from userinfo.
      issuer: isTenantId(tenant) ? `https://login.microsoftonline.com/${tenant!.trim().toLowerCase()}/v2.0` : null,
      tokenEndpointAuthMethod: 'client_secret_post',
      scopes: [...new Set([...incomingScopes, ...outgoingScopes]), 'offline_access', 'openid', 'email', 'profile'],
      incoming: isApiProtocol(incomingProtocol)
        ? NO_LOCATION
        : { host: 'outlook.office365.com', port: incomingProtocol === 'pop3' ? 995 : 993, security: 'tls' },
      outgoing: isApiProtocol(outgoingProtocol) ? NO_LOCATION : { host: 'smtp.office365.com', port: 587, security: 'starttls' },
      mailboxCap: null,
      publishingStatus: null,
    };
  },

  accountFromClaims(claims) {
    // Microsoft's `email` claim is not verified: the sign-in name is preferred_username, the account tid + oid.
    const account = providerText(claims.preferred_username);
    const tenantId = providerText(claims.tid) || null;
    const objectId = providerText(claims.oid);
    return account ? { account, subject: tenantId && objectId ? `${tenantId}:${objectId}` : null, tenantId } : null;
  },
  accountMissingHint: 'providers.microsoft365.accountMissingHint',
  noRefreshTokenHint: 'providers.microsoft365.noRefreshTokenHint',
  readTokenError: readMicrosoftTokenError,
};
