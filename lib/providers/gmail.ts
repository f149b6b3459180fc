import { NO_ENDPOINTS, NO_LOCATION, isApiProtocol, isOAuth, providerText, type Provider } from './provider';

const MAIL_SCOPE = 'https://mail.google.com/';
const MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
const SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';
export const GMAIL_API_ROOT = 'https://gmail.googleapis.com/gmail/v1';
/** Google caps an unverified or Testing app at 100 users, which is why Dynamics 365 caps a Gmail OAuth profile at 100. */
const TESTING_APP_USER_CAP = 100;

export const gmail: Provider<'gmail'> = {
  id: 'gmail',
  label: 'Gmail',
  company: 'Google',
  authTypes: ['oauth2_code', 'password'],
  authTypeRefusals: { oauth2_device: 'providers.gmail.refusals.oauth2_device' },
  authTypeHint: 'providers.gmail.authTypeHint',
  publicClientRefusal: 'providers.gmail.publicClientRefusal',
  fixedTokenEndpointAuthMethod: 'client_secret_post',
  tenant: null,
  testingApps: {
    // Refresh tokens of an app in Testing live 7 days.
    consentLifetimeMs: 7 * 24 * 60 * 60 * 1000,
    userCap: TESTING_APP_USER_CAP,
    publishingHint: 'providers.gmail.publishingHint',
    capHint: 'providers.gmail.capHint',
  },
  knownSigningKeys: true,
  namesItsServers: true,
  pinnedHosts: ['accounts.google.com', 'oauth2.googleapis.com', 'openidconnect.googleapis.com', 'www.googleapis.com', 'gmail.googleapis.com'],
  incomingProtocols: ['imap', 'pop3', 'gmail_api'],
  outgoingProtocols: ['smtp', 'gmail_api'],
  // https://mail.google.com/ serves IMAP, POP and SMTP, and the Gmail API as well.
  mailScopes: { imap: [MAIL_SCOPE], pop3: [MAIL_SCOPE], smtp: [MAIL_SCOPE], gmail_api: [MODIFY_SCOPE, SEND_SCOPE] },
  // One Google access token serves every protocol.
  resourceOf: () => null,
  apiProtocol: 'gmail_api',
  // Google issues a refresh token only for offline access on a consent screen shown again.
  authorizationParameters: { access_type: 'offline', prompt: 'consent' },
  scopesOnRefresh: false,
  sharedMailboxes: false,
  idleRefreshTokens: null,
  ownerMailSwitch: { cause: 'IMAP/POP is turned off in the Gmail settings', check: 'Gmail Settings › Forwarding and POP/IMAP' },

  preset({ authType, incomingProtocol, outgoingProtocol }) {
    const oauth = isOAuth(authType);
    const incomingApi = isApiProtocol(incomingProtocol);
    const outgoingApi = isApiProtocol(outgoingProtocol);
    // The narrower Gmail API scopes when only the API is used; IMAP, POP and SMTP need the whole mail scope, which covers the API too.
    const mailScopes = incomingApi && outgoingApi ? [MODIFY_SCOPE, SEND_SCOPE] : [MAIL_SCOPE];
    return {
      endpoints: oauth
        ? {
            authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
            token: 'https://oauth2.googleapis.com/token',
            device: null,
            revocation: 'https://oauth2.googleapis.com/revoke',
            userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
            jwks: 'https://www.googleapis.com/oauth2/v3/certs',
            api: incomingApi || outgoingApi ? GMAIL_API_ROOT : null,
          }
        : NO_ENDPOINTS,
      issuer: oauth ? 'https://accounts.google.com' : null,
      tokenEndpointAuthMethod: 'client_secret_post',
      scopes: oauth ? [...mailScopes, 'openid', 'email'] : [],
      incoming: incomingApi
        ? NO_LOCATION
        : incomingProtocol === 'pop3'
          ? { host: 'pop.gmail.com', port: 995, security: 'tls' }
          : { host: 'imap.gmail.com', port: 993, security: 'tls' },
      // App passwords work with plain AUTH LOGIN after STARTTLS on 587.
      outgoing: outgoingApi
        ? NO_LOCATION
        : oauth
          ? { host: 'smtp.gmail.com', port: 465, security: 'tls' }
          : { host: 'smtp.gmail.com', port: 587, security: 'starttls' },
      mailboxCap: oauth ? TESTING_APP_USER_CAP : null,
      publishingStatus: oauth ? 'testing' : null,
    };
  },

  accountFromClaims(claims) {
    // Only the boolean true vouches for the address: a string "true", or no claim, does not.
    const account = claims.email_verified === true ? providerText(claims.email) : '';
    return account ? { account, subject: providerText(claims.sub) || null, tenantId: null } : null;
  },
  accountMissingHint: 'providers.gmail.accountMissingHint',
  noRefreshTokenHint: 'providers.gmail.noRefreshTokenHint',
  readTokenError: () => null,
};
