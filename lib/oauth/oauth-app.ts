import 'server-only';
import { serverProfiles, type ServerProfile } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { logger } from '@/lib/logger';

/** What Mailroom needs of a profile to talk OAuth with its provider. */
export type OAuthApp = {
  profileId: string;
  serverType: ServerProfile['serverType'];
  clientId: string;
  /** Decrypted only here, for the token endpoint; never logged or returned. */
  clientSecret: string | null;
  tokenEndpointAuthMethod: ServerProfile['tokenEndpointAuthMethod'];
  tenant: string | null;
  /** With `jwksEndpoint`, id_tokens are verified against it; without, the account comes from userinfo. */
  issuer: string | null;
  jwksEndpoint: string | null;
  /** Null on a device-flow profile: that flow never sends anyone there. */
  authorizationEndpoint: string | null;
  tokenEndpoint: string;
  deviceEndpoint: string | null;
  revocationEndpoint: string | null;
  userinfoEndpoint: string | null;
  scopes: string[];
  /** The profile is an internal server: its endpoints may be on loopback or private addresses. */
  internal: boolean;
};

const IDENTITY_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

export function oauthCallbackUrl(): string {
  return `${getEnv().MAILROOM_PUBLIC_URL}/api/oauth/callback`;
}

/** The profile's stored client secret cannot be decrypted here: a failure of the profile, which an admin ends. */
export class ClientSecretUnreadableError extends AppError {
  constructor() {
    super('CONFLICT', phrase('oauth.failures.clientSecretUnreadable'));
    this.name = 'ClientSecretUnreadableError';
  }
}

function clientSecretOf(profile: ServerProfile): string | null {
  if (!profile.clientSecret) return null;
  try {
    return decryptSecret(profile.clientSecret, secretPlace(serverProfiles.clientSecret, profile.id));
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    logger.warn('A profile’s client secret cannot be decrypted', { profileId: profile.id, reason: error.reason });
    throw new ClientSecretUnreadableError();
  }
}

export function oauthAppOf(profile: ServerProfile): OAuthApp {
  if (profile.authType === 'password' || !profile.clientId || !profile.tokenEndpoint) {
    throw new Error(`Profile ${profile.id} is not an OAuth profile`);
  }
  return {
    profileId: profile.id,
    serverType: profile.serverType,
    clientId: profile.clientId,
    clientSecret: clientSecretOf(profile),
    tokenEndpointAuthMethod: profile.tokenEndpointAuthMethod,
    tenant: profile.tenant,
    issuer: profile.issuer,
    jwksEndpoint: profile.jwksEndpoint,
    authorizationEndpoint: profile.authorizationEndpoint,
    tokenEndpoint: profile.tokenEndpoint,
    deviceEndpoint: profile.deviceEndpoint,
    revocationEndpoint: profile.revocationEndpoint,
    userinfoEndpoint: profile.userinfoEndpoint,
    scopes: profile.scopes,
    internal: profile.internalServer,
  };
}

/** The scopes mail needs (IMAP, POP, SMTP): a grant without one of them cannot sync. */
export function mailScopesOf(app: Pick<OAuthApp, 'scopes'>): string[] {
  return app.scopes.filter((scope) => !IDENTITY_SCOPES.has(scope));
}

