import 'server-only';
import type { ServerProfile } from '@/db/schema';
import { decryptSecret } from '@/lib/crypto/secrets';
import { getEnv } from '@/lib/env';

/** What Mailroom needs of a profile to talk OAuth with its provider. */
export type OAuthApp = {
  profileId: string;
  serverType: ServerProfile['serverType'];
  clientId: string;
  /** Decrypted only here, for the token endpoint; never logged or returned. */
  clientSecret: string | null;
  tenant: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  deviceEndpoint: string | null;
  revocationEndpoint: string | null;
  userinfoEndpoint: string | null;
  scopes: string[];
};

const IDENTITY_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

export function oauthCallbackUrl(): string {
  return `${getEnv().MAILROOM_PUBLIC_URL}/api/oauth/callback`;
}

export function oauthAppOf(profile: ServerProfile): OAuthApp {
  if (profile.authType === 'password' || !profile.clientId || !profile.authorizationEndpoint || !profile.tokenEndpoint) {
    throw new Error(`Profile ${profile.id} is not an OAuth profile`);
  }
  return {
    profileId: profile.id,
    serverType: profile.serverType,
    clientId: profile.clientId,
    clientSecret: profile.clientSecret ? decryptSecret(profile.clientSecret) : null,
    tenant: profile.tenant,
    authorizationEndpoint: profile.authorizationEndpoint,
    tokenEndpoint: profile.tokenEndpoint,
    deviceEndpoint: profile.deviceEndpoint,
    revocationEndpoint: profile.revocationEndpoint,
    userinfoEndpoint: profile.userinfoEndpoint,
    scopes: profile.scopes,
  };
}

/** The scopes mail needs (IMAP, POP, SMTP): a grant without one of them cannot sync. */
export function mailScopesOf(app: Pick<OAuthApp, 'scopes'>): string[] {
  return app.scopes.filter((scope) => !IDENTITY_SCOPES.has(scope));
}
