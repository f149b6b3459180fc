import { readMicrosoftTokenError } from './microsoft365';
import { NO_ENDPOINTS, providerText, type Provider } from './provider';

/** Any IMAP or POP3 and SMTP server: the admin names its hosts, and its OAuth endpoints if it has them. */
export const custom: Provider<'custom'> = {
  id: 'custom',
  label: 'Custom (IMAP or POP3 and SMTP)',
  company: null,
  authTypes: ['password', 'oauth2_code', 'oauth2_device'],
  authTypeRefusals: {},
  authTypeHint: null,
  publicClientRefusal: null,
  fixedTokenEndpointAuthMethod: null,
  tenant: null,
  testingApps: null,
  knownSigningKeys: false,
  namesItsServers: false,
  pinnedHosts: null,
  incomingProtocols: ['imap', 'pop3'],
  outgoingProtocols: ['smtp'],
  mailScopes: null,
  resourceOf: () => null,
  apiProtocol: null,
  authorizationParameters: {},
  scopesOnRefresh: false,
  sharedMailboxes: false,
  idleRefreshTokens: null,
  ownerMailSwitch: null,

  preset({ incomingProtocol }) {
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
  },

  accountFromClaims(claims) {
    // A string "true" does not vouch for the address; a server that says nothing of verification is taken at its word.
    const verified = claims.email_verified === true || claims.email_verified === undefined;
    const account = verified ? providerText(claims.email) : '';
    return account ? { account, subject: providerText(claims.sub) || null, tenantId: null } : null;
  },
  accountMissingHint: 'providers.custom.accountMissingHint',
  noRefreshTokenHint: 'providers.custom.noRefreshTokenHint',
  // A custom profile may sign in at Microsoft's identity platform under its own endpoints: its codes read the same.
  readTokenError: readMicrosoftTokenError,
};
