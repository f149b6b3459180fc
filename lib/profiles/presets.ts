// Plain data and pure functions: the profile form imports these in the browser to pre-fill fields.

export const SERVER_TYPES = ['gmail', 'microsoft365', 'custom'] as const;
export const AUTH_TYPES = ['oauth2_code', 'oauth2_device', 'password'] as const;
export const INCOMING_PROTOCOLS = ['imap', 'pop3'] as const;
export const TRANSPORT_SECURITIES = ['tls', 'starttls', 'none'] as const;
export const PUBLISHING_STATUSES = ['production', 'testing'] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const;

export type ServerType = (typeof SERVER_TYPES)[number];
export type AuthType = (typeof AUTH_TYPES)[number];
export type IncomingProtocol = (typeof INCOMING_PROTOCOLS)[number];
export type TransportSecurity = (typeof TRANSPORT_SECURITIES)[number];
export type PublishingStatus = (typeof PUBLISHING_STATUSES)[number];
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const TOKEN_ENDPOINT_AUTH_METHOD_LABELS: Record<TokenEndpointAuthMethod, string> = {
  client_secret_post: 'In the request body (client_secret_post)',
  client_secret_basic: 'HTTP Basic authentication (client_secret_basic)',
};

export const SERVER_TYPE_LABELS: Record<ServerType, string> = {
  gmail: 'Gmail',
  microsoft365: 'Microsoft 365',
  custom: 'Custom (IMAP or POP3 and SMTP)',
};

export const AUTH_TYPE_LABELS: Record<AuthType, string> = {
  oauth2_code: 'OAuth 2.0, authorization code',
  oauth2_device: 'OAuth 2.0, device authorization grant',
  password: 'Password or app password',
};

/** The sign-in types each server type supports, the default first. */
export const AUTH_TYPES_BY_SERVER: Record<ServerType, readonly AuthType[]> = {
  gmail: ['oauth2_code', 'password'],
  microsoft365: ['oauth2_code', 'oauth2_device'],
  custom: ['password', 'oauth2_code', 'oauth2_device'],
};

export const AUTH_TYPE_REFUSALS: Partial<Record<ServerType, Partial<Record<AuthType, string>>>> = {
  gmail: {
    oauth2_device:
      'Google does not allow the device authorization grant for https://mail.google.com/: use the authorization code flow or an app password.',
  },
  microsoft365: {
    password:
      'Microsoft 365 no longer accepts passwords (basic authentication) for IMAP, POP and SMTP: use OAuth 2.0.',
  },
};

/** Google caps an unverified or Testing app at 100 users, which is why Dynamics 365 caps a Gmail OAuth profile at 100. */
export const GMAIL_OAUTH_MAILBOX_CAP = 100;
export const MAX_MAILBOX_CAP = 100_000;

export const MICROSOFT_TENANT_KEYWORDS = ['common', 'organizations', 'consumers'] as const;

export type ProfileEndpoints = {
  authorization: string | null;
  token: string | null;
  device: string | null;
  revocation: string | null;
  userinfo: string | null;
  /** The issuer's signing keys, against which id_tokens are verified. */
  jwks: string | null;
};

export type ServerLocation = { host: string; port: number; security: TransportSecurity };

/** Everything a preset fills in: the fields a person should not have to look up. */
export type ProfilePreset = {
  endpoints: ProfileEndpoints;
  /** The OpenID issuer whose id_tokens name the consenting account; null: the account comes from userinfo. */
  issuer: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  scopes: string[];
  incoming: ServerLocation;
  outgoing: ServerLocation;
  mailboxCap: number | null;
  publishingStatus: PublishingStatus | null;
};

export type PresetKey = {
  serverType: ServerType;
  authType: AuthType;
  /** Microsoft 365 only; the endpoints carry it in their path. */
  tenant?: string | null;
  incomingProtocol: IncomingProtocol;
};

export const NO_ENDPOINTS: ProfileEndpoints = { authorization: null, token: null, device: null, revocation: null, userinfo: null, jwks: null };

export const ADVANCED_DEFAULTS = {
  processEmailFrom: null,
  minPollingIntervalMinutes: 5,
  maxConcurrentConnections: 10,
  moveFailedToUndeliverable: false,
  connectionTimeoutSeconds: 30,
} as const;

export function isOAuth(authType: AuthType): boolean {
  return authType !== 'password';
}

export function allowsPublicClient(serverType: ServerType, authType: AuthType): boolean {
  return serverType !== 'gmail' && isOAuth(authType);
}

/** The scope each protocol's OAuth sign-in needs at each provider. */
export const MAIL_SCOPES: Record<Exclude<ServerType, 'custom'>, Record<'imap' | 'pop3' | 'smtp', string>> = {
  gmail: { imap: 'https://mail.google.com/', pop3: 'https://mail.google.com/', smtp: 'https://mail.google.com/' },
  microsoft365: {
    imap: 'https://outlook.office.com/IMAP.AccessAsUser.All',
    pop3: 'https://outlook.office.com/POP.AccessAsUser.All',
    smtp: 'https://outlook.office.com/SMTP.Send',
  },
};

export function defaultAuthType(serverType: ServerType): AuthType {
  return AUTH_TYPES_BY_SERVER[serverType][0]!;
}

function gmailPreset({ authType, incomingProtocol }: PresetKey): ProfilePreset {
  const oauth = isOAuth(authType);
  return {
    endpoints: oauth
      ? {
          authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
          token: 'https://oauth2.googleapis.com/token',
          device: null,
          revocation: 'https://oauth2.googleapis.com/revoke',
          userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
          jwks: 'https://www.googleapis.com/oauth2/v3/certs',
        }
      : NO_ENDPOINTS,
    issuer: oauth ? 'https://accounts.google.com' : null,
    tokenEndpointAuthMethod: 'client_secret_post',
    scopes: oauth ? [MAIL_SCOPES.gmail.imap, 'openid', 'email'] : [],
    incoming:
      incomingProtocol === 'pop3'
        ? { host: 'pop.gmail.com', port: 995, security: 'tls' }
        : { host: 'imap.gmail.com', port: 993, security: 'tls' },
    // App passwords work with plain AUTH LOGIN after STARTTLS on 587.
    outgoing: oauth ? { host: 'smtp.gmail.com', port: 465, security: 'tls' } : { host: 'smtp.gmail.com', port: 587, security: 'starttls' },
    mailboxCap: oauth ? GMAIL_OAUTH_MAILBOX_CAP : null,
    publishingStatus: oauth ? 'testing' : null,
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(tenant: string | null | undefined): boolean {
  return GUID.test(tenant?.trim() ?? '');
}

function microsoftPreset({ authType, tenant, incomingProtocol }: PresetKey): ProfilePreset {
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
    },
    // Microsoft's id_tokens name the account's own tenant in their issuer: only a tenant id fixes it.
    // For common, organizations, consumers or a domain, the account comes from userinfo.
    issuer: isTenantId(tenant) ? `https://login.microsoftonline.com/${tenant!.trim().toLowerCase()}/v2.0` : null,
    tokenEndpointAuthMethod: 'client_secret_post',
    scopes: [
      MAIL_SCOPES.microsoft365[incomingProtocol === 'pop3' ? 'pop3' : 'imap'],
      MAIL_SCOPES.microsoft365.smtp,
      'offline_access',
      'openid',
      'email',
      'profile',
    ],
    incoming: { host: 'outlook.office365.com', port: incomingProtocol === 'pop3' ? 995 : 993, security: 'tls' },
    outgoing: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    mailboxCap: null,
    publishingStatus: null,
  };
}

function customPreset({ incomingProtocol }: PresetKey): ProfilePreset {
  return {
    endpoints: NO_ENDPOINTS,
    issuer: null,
    tokenEndpointAuthMethod: 'client_secret_post',
    scopes: [],
    incoming: { host: '', port: incomingProtocol === 'pop3' ? 995 : 993, security: 'tls' },
    outgoing: { host: '', port: 587, security: 'starttls' },
    mailboxCap: null,
    publishingStatus: null,
  };
}

/** What a profile of this kind holds unless someone changes it. */
export function presetFor(key: PresetKey): ProfilePreset {
  if (key.serverType === 'gmail') return gmailPreset(key);
  if (key.serverType === 'microsoft365') return microsoftPreset(key);
  return customPreset(key);
}
