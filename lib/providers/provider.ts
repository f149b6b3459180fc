// Plain data and pure functions: the profile form imports these in the browser too.
import type { MessagePath } from '@/lib/i18n/phrase';
import type { Phrase } from '@/lib/i18n/render';
import type { ProviderId } from './ids';

export const AUTH_TYPES = ['oauth2_code', 'oauth2_device', 'password'] as const;
/** How a direction reaches the mailbox: a mail protocol over a socket, or the provider's web API. */
export const INCOMING_PROTOCOLS = ['imap', 'pop3', 'graph', 'gmail_api'] as const;
export const OUTGOING_PROTOCOLS = ['smtp', 'graph', 'gmail_api'] as const;
export const API_PROTOCOLS = ['graph', 'gmail_api'] as const;
export const TRANSPORT_SECURITIES = ['tls', 'starttls', 'none'] as const;
export const PUBLISHING_STATUSES = ['production', 'testing'] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const;

export type AuthType = (typeof AUTH_TYPES)[number];
export type IncomingProtocol = (typeof INCOMING_PROTOCOLS)[number];
export type OutgoingProtocol = (typeof OUTGOING_PROTOCOLS)[number];
export type ApiProtocol = (typeof API_PROTOCOLS)[number];
export type MailProtocol = IncomingProtocol | OutgoingProtocol;
/** The protocols spoken over a socket of the profile's own hosts. */
export type SocketProtocol = Exclude<MailProtocol, ApiProtocol>;

export function isApiProtocol(protocol: MailProtocol): protocol is ApiProtocol {
  return (API_PROTOCOLS as readonly string[]).includes(protocol);
}
export type TransportSecurity = (typeof TRANSPORT_SECURITIES)[number];
export type PublishingStatus = (typeof PUBLISHING_STATUSES)[number];
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export type ProfileEndpoints = {
  authorization: string | null;
  token: string | null;
  device: string | null;
  revocation: string | null;
  userinfo: string | null;
  /** The issuer's signing keys, against which id_tokens are verified. */
  jwks: string | null;
  /** The root of the web API (Microsoft Graph, the Gmail API) a direction goes through; null when none does. */
  api: string | null;
};

export type ServerLocation = { host: string; port: number; security: TransportSecurity };
/** Where a direction's socket goes; all null when the direction goes through a web API instead. */
export type ServerLocationOrNone = ServerLocation | { host: null; port: null; security: null };
export const NO_LOCATION = { host: null, port: null, security: null } as const;

/** Everything a preset fills in: the fields a person should not have to look up. */
export type ProfilePreset = {
  endpoints: ProfileEndpoints;
  /** The OpenID issuer whose id_tokens name the consenting account; null: the account comes from userinfo. */
  issuer: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  scopes: string[];
  incoming: ServerLocationOrNone;
  outgoing: ServerLocationOrNone;
  mailboxCap: number | null;
  publishingStatus: PublishingStatus | null;
};

export type PresetKey = {
  authType: AuthType;
  /** Providers with tenants only; the endpoints carry it in their path. */
  tenant?: string | null;
  incomingProtocol: IncomingProtocol;
  outgoingProtocol: OutgoingProtocol;
};

export const NO_ENDPOINTS: ProfileEndpoints = { authorization: null, token: null, device: null, revocation: null, userinfo: null, jwks: null, api: null };

export function isOAuth(authType: AuthType): boolean {
  return authType !== 'password';
}

/** The account a provider vouches for, read from its id_token or userinfo claims. */
export type ClaimedAccount = {
  /** The sign-in name, as the provider spells it. */
  account: string;
  /** The provider's stable id of the account; null when it gave none. */
  subject: string | null;
  /** The directory (tenant) the account signed in from, at providers that have them. */
  tenantId: string | null;
};

/** A token endpoint refusal that means more at this provider than its OAuth error code says. */
export type TokenErrorReading = { reach: 'mailbox' | 'profile' | 'temporary'; code: string; phrase: Phrase };

/** What a provider's reading of a token endpoint refusal may look at: never a secret. */
export type TokenErrorContext = {
  /** `error: error_description` as the provider said it, shortened. */
  said: string;
  description: string;
  clientId: string;
  tenant: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string;
};

/** Everything Mailroom knows of one server type; the rest of the code reads it instead of testing the type. */
export type Provider<Id extends ProviderId = ProviderId> = {
  id: Id;
  /** The server type's name in the English texts lib/ still writes; pages show `providers.<id>.label`. */
  label: string;
  /** Who answers for the accounts, as messages name it; null when it is whoever runs the server. */
  company: string | null;
  /** The sign-in types it supports, the default first. */
  authTypes: readonly AuthType[];
  /** Why a sign-in type is refused, for those a person could expect to work: a problem group (its `message`). */
  authTypeRefusals: Partial<Record<AuthType, MessagePath>>;
  /** What the form says under the sign-in type; null: nothing. */
  authTypeHint: MessagePath | null;
  /** Why an OAuth client cannot be public (no secret) here; null: it may be, if its app registration allows it. */
  publicClientRefusal: MessagePath | null;
  /** How the client secret must reach the token endpoint; null: the admin chooses. */
  fixedTokenEndpointAuthMethod: TokenEndpointAuthMethod | null;
  /** Whether the endpoints name a tenant, and what the form and validation say of it; null: no tenant. */
  tenant: { keywords: readonly string[]; problem: MessagePath; formHint: MessagePath } | null;
  /** Apps that start in a "testing" publishing status, whose consents end and whose users are capped; null: none. `capHint` takes `{cap}`. */
  testingApps: { consentLifetimeMs: number; userCap: number; publishingHint: MessagePath; capHint: MessagePath } | null;
  /** The provider's signing keys are known without the issuer being named (a JWKS endpoint alone is fine). */
  knownSigningKeys: boolean;
  /** Whether the preset names the mail servers; if not, the admin types them and the form's Advanced section opens. */
  namesItsServers: boolean;
  /** The only hosts the profile's OAuth endpoints may be on; null: the admin names them. */
  pinnedHosts: readonly string[] | null;
  /** The incoming protocols it speaks, the default first. */
  incomingProtocols: readonly IncomingProtocol[];
  /** The outgoing protocols it speaks, the default first. */
  outgoingProtocols: readonly OutgoingProtocol[];
  /** The scopes each protocol's OAuth sign-in needs; null when the admin must know them. */
  mailScopes: Partial<Record<MailProtocol, readonly string[]>> | null;
  /**
   * The resource (audience) an access token for the protocol is issued for, at providers that issue one
   * token per resource (Microsoft: outlook.office.com for IMAP, POP and SMTP, Graph for Graph); null where
   * one token serves every protocol. A profile whose directions need two resources is refused.
   */
  resourceOf(protocol: MailProtocol): string | null;
  /** The web API a protocol of this provider goes through, and the switch a refused socket protocol offers. */
  apiProtocol: ApiProtocol | null;
  /** Authorization request parameters beyond OAuth's own and `login_hint`, which every provider is sent. */
  authorizationParameters: Readonly<Record<string, string>>;
  /** Whether a refresh must ask for the scopes again. */
  scopesOnRefresh: boolean;
  /** Shared mailboxes (a delegate signs in for a mailbox they do not own). */
  sharedMailboxes: boolean;
  /** Refresh tokens that die unused: when to warn, and when they end; null: they do not. */
  idleRefreshTokens: { staleAfterMs: number; lifetimeMs: number } | null;
  /** The owner can turn IMAP and POP off for their own account: what a refused fresh token may then mean. */
  ownerMailSwitch: { cause: string; check: string } | null;
  /** What a profile of this kind holds unless someone changes it. */
  preset(key: PresetKey): ProfilePreset;
  /** The account a sign-in's claims vouch for, or null when they vouch for none. */
  accountFromClaims(claims: Record<string, unknown>): ClaimedAccount | null;
  /** What to do when the claims named no account (a message). */
  accountMissingHint: MessagePath;
  /** What to do when a consent brought no refresh token (a message). */
  noRefreshTokenHint: MessagePath;
  /** The provider's own error codes in a token endpoint refusal, or null for the generic reading. */
  readTokenError(context: TokenErrorContext): TokenErrorReading | null;
};

/** Provider texts can be long; they never carry tokens, but keep what reaches people short. */
export function providerText(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
}
