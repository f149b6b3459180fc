export type PersonaName = 'google' | 'microsoft';
export type MailServerName = 'gmail' | 'microsoft' | 'generic';
export type MailProtocol = 'imap' | 'pop3' | 'smtp';

export type Endpoint = { host: string; port: number };

/** One protocol of a mail server: an implicit-TLS port and a STARTTLS port, both with the lab CA's certificate. */
export type MailProtocolEndpoints = { tls: Endpoint; starttls: Endpoint };

export type MailServerInfo = {
  name: MailServerName;
  saslMechanisms: string[];
  imap: MailProtocolEndpoints;
  pop3: MailProtocolEndpoints;
  smtp: MailProtocolEndpoints;
};

/** The generic server also answers implicit TLS with a certificate no CA vouches for. */
export type GenericMailServerInfo = MailServerInfo & { selfSigned: Record<MailProtocol, Endpoint> };

export type LabAccount = {
  email: string;
  name: string;
  /** Which authorization server knows the account; `password` accounts log in to the generic server. */
  provider: PersonaName | 'password';
  password?: string;
  /** Microsoft: the directory the account belongs to; the lab tenant's when absent. */
  tenantId?: string;
};

export type OAuthClient = {
  clientId: string;
  /** Absent for public clients. */
  clientSecret?: string;
  redirectUris: string[];
  deviceFlow: boolean;
  /** How a confidential client must authenticate at the token endpoint; the lab refuses the other way. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
};

export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic';

export type PersonaEndpoints = {
  authorization: string;
  token: string;
  device: string;
  revocation: string | null;
  /** Microsoft's admin consent endpoint: `?client_id=` grants that app's permissions for the tenant. */
  adminConsent: string | null;
  userinfo: string;
  introspection: string;
  discovery: string;
  /** The persona's signing keys, against which its id_tokens verify. */
  jwks: string;
};

export type PersonaInfo = {
  name: PersonaName;
  issuer: string;
  /** Microsoft only: the lab tenant's id, which the endpoints carry in their path. */
  tenant: string | null;
  endpoints: PersonaEndpoints;
  /** Scopes for IMAP, POP and SMTP. */
  mailScopes: string[];
  /** Scopes for the mail API (Graph, with and without its resource prefix; the Gmail API). A Microsoft token is for one resource: never both lists. */
  apiScopes: string[];
  identityScopes: string[];
  clients: Record<string, OAuthClient>;
};

export type MailApiName = 'graph' | 'gmail';

/** The lab's REST stand-ins for Microsoft Graph and the Gmail API, over HTTPS with the lab CA's certificate. */
export type MailApisInfo = {
  /** `https://127.0.0.1:<port>/v1.0` */
  graph: { baseUrl: string };
  /** `https://127.0.0.1:<port>/gmail/v1` */
  gmail: { baseUrl: string };
};

export type LabInfo = {
  available: true;
  /** Base URL of the control API that tests use to inject faults and read what the sink received. */
  controlUrl: string;
  /** PEM of the lab CA, which signed every certificate except the self-signed listeners'. */
  caCertificate: string;
  personas: Record<PersonaName, PersonaInfo>;
  mail: { gmail: MailServerInfo; microsoft: MailServerInfo; generic: GenericMailServerInfo };
  sink: Endpoint;
  api: MailApisInfo;
  accounts: LabAccount[];
};

export type LabUnavailable = { available: false; reason: string };

export type TokenFault = 'server_error' | 'hang' | 'invalid_grant';
/** What is wrong with the id_tokens a client receives: signed by a key the persona never published, for another audience, or expired. */
export type IdTokenFault = 'foreign_key' | 'other_audience' | 'expired';
/** Tokens the persona issued to one client for one account that still work (neither revoked, consumed nor expired). */
export type LiveTokens = { accessTokens: number; refreshTokens: number };
export type ServerFault = 'unreachable' | 'hang';
/**
 * What the provider-like submission servers do to an account's next messages: `defer` answers MAIL FROM
 * with a temporary 451 4.3.0; `stall` never answers MAIL FROM; `withhold_reply` relays the message but
 * never answers its DATA (the sender cannot know it was taken).
 */
export type SmtpFault = 'defer' | 'stall' | 'withhold_reply';

/** Requests each persona's token endpoint received, by grant type; faults and errors included. */
export type TokenRequestCounts = Record<PersonaName, Record<string, number>>;

export type ConnectionCount = { open: number; maxOpen: number; total: number };
/** Client connections at the lab's mail ports: open now, most open at once and total since the counters' reset. */
export type ConnectionStats = Record<MailServerName, Record<MailProtocol, ConnectionCount>>;

/** Ports of their own in front of one mail server's Dovecot, whose connections are also counted on their own. */
export type MailPorts = MailServerInfo & { id: string };

export type ReceivedMessage = {
  envelopeFrom: string;
  envelopeTo: string[];
  subject: string | null;
  raw: string;
  receivedAt: string;
};

export type GraphFault = 'InvalidAuthenticationToken' | 'ErrorAccessDenied' | 'MailboxNotEnabledForRESTAPI';
export type GmailFault = 'accessNotConfigured' | 'failedPrecondition' | 'authError';
export type MailApiFault = GraphFault | GmailFault;

/** What a delegate may do with a shared (or another user's) mailbox at Graph. */
export type MailboxRights = { fullAccess: boolean; sendAs: boolean };

/** One message of an account's INBOX, as its Maildir holds it. */
export type InboxMessage = {
  /** The Maildir file's base name: the message's id at Graph and at the Gmail API. */
  id: string;
  subject: string | null;
  from: string | null;
  messageId: string | null;
  receivedAt: string;
};

/** Requests a mail API received that named an account (its token's or the mailbox of the path), by HTTP status. */
export type ApiRequestCounts = { total: number; byStatus: Record<string, number> };
