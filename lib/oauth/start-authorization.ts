import 'server-only';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { oauthAuthorizations, serverProfiles, type User } from '@/db/schema';
import { encryptSecret } from '@/lib/crypto/secrets';
import { randomToken, sha256 } from '@/lib/crypto/tokens';
import { AppError, notFound } from '@/lib/errors';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { oauthAppOf, oauthCallbackUrl, type OAuthApp } from './oauth-app';
import { OAuthFailure, providerText } from './oauth-failure';

const CODE_FLOW_LIFETIME_MS = 10 * 60 * 1000;

export type StartedAuthorization =
  | { flow: 'code'; authorizationUrl: string }
  | { flow: 'device'; authorizationId: string; userCode: string; verificationUri: string; expiresAt: Date; interval: number };

/** The mailbox a user may connect, with its profile: its owner, or an admin. */
export async function connectableMailbox({ viewer, mailboxId }: { viewer: Pick<User, 'id' | 'role'>; mailboxId: string }) {
  if (viewer.role === 'support') throw new AppError('FORBIDDEN', 'Support staff cannot connect mailboxes: the owner or an admin does.');
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('The mailbox');
  if (mailbox.status === 'disabled') throw new AppError('CONFLICT', 'This mailbox is disabled: an admin enables it first.');
  if (mailbox.approval === 'rejected') throw new AppError('CONFLICT', 'This address was rejected by an admin: it cannot be connected.');
  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, mailbox.profileId));
  if (profile!.authType === 'password') {
    throw new AppError('CONFLICT', 'This mailbox’s profile signs in with a password: enter the password instead of connecting.');
  }
  return { mailbox, profile: profile! };
}

function authorizationUrl(app: OAuthApp, options: { state: string; challenge: string; loginHint: string }): string {
  const url = new URL(app.authorizationEndpoint);
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: oauthCallbackUrl(),
    scope: app.scopes.join(' '),
    state: options.state,
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
    login_hint: options.loginHint,
  };
  // Google issues a refresh token only for offline access on a consent screen shown again.
  if (app.serverType === 'gmail') Object.assign(parameters, { access_type: 'offline', prompt: 'consent' });
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.toString();
}

async function requestDeviceCode(app: OAuthApp) {
  const body = new URLSearchParams({ client_id: app.clientId, scope: app.scopes.join(' ') });
  if (app.clientSecret) body.set('client_secret', app.clientSecret);
  let response: Response;
  try {
    response = await fetch(app.deviceEndpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new AppError('UPSTREAM', 'The provider’s device authorization endpoint could not be reached. Try again in a moment.');
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof json.device_code !== 'string' || typeof json.user_code !== 'string') {
    const said = [providerText(json.error), providerText(json.error_description)].filter(Boolean).join(': ');
    throw new AppError('UPSTREAM', `The provider refused to start the device sign-in${said ? ` (${said})` : ''}.`, {
      hint: 'Check that the profile’s app allows the device flow (Microsoft: “Allow public client flows”).',
    });
  }
  return {
    deviceCode: json.device_code,
    userCode: json.user_code,
    verificationUri: providerText(json.verification_uri ?? json.verification_url),
    expiresIn: Number(json.expires_in) || 900,
    interval: Number(json.interval) || 5,
  };
}

/**
 * Starts connecting a mailbox: an authorization URL with PKCE and a single-use state for the code
 * flow, or a user code to type at the provider for the device flow.
 */
export async function startAuthorization({
  viewer,
  mailboxId,
}: {
  viewer: Pick<User, 'id' | 'role'>;
  mailboxId: string;
}): Promise<StartedAuthorization> {
  const { mailbox, profile } = await connectableMailbox({ viewer, mailboxId });
  const app = oauthAppOf(profile);

  if (profile.authType === 'oauth2_device') {
    if (profile.serverType === 'gmail') {
      throw new AppError('CONFLICT', 'Google does not allow the device flow for Gmail’s scope https://mail.google.com/: use the authorization code flow.');
    }
    const device = await requestDeviceCode(app).catch((error: unknown) => {
      if (error instanceof OAuthFailure) throw new AppError('UPSTREAM', error.message, { hint: error.hint });
      throw error;
    });
    const expiresAt = new Date(Date.now() + device.expiresIn * 1000);
    const [authorization] = await db
      .insert(oauthAuthorizations)
      .values({
        flow: 'device',
        userId: viewer.id,
        mailboxId: mailbox.id,
        profileId: profile.id,
        deviceCode: encryptSecret(device.deviceCode),
        userCode: device.userCode,
        verificationUri: device.verificationUri,
        pollIntervalSeconds: device.interval,
        expiresAt,
      })
      .returning({ id: oauthAuthorizations.id });
    return {
      flow: 'device',
      authorizationId: authorization!.id,
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      expiresAt,
      interval: device.interval,
    };
  }

  const state = randomToken(32);
  const verifier = randomToken(48);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  await db.insert(oauthAuthorizations).values({
    flow: 'code',
    stateHash: sha256(state),
    userId: viewer.id,
    mailboxId: mailbox.id,
    profileId: profile.id,
    codeVerifier: encryptSecret(verifier),
    redirectUri: oauthCallbackUrl(),
    expiresAt: new Date(Date.now() + CODE_FLOW_LIFETIME_MS),
  });
  return { flow: 'code', authorizationUrl: authorizationUrl(app, { state, challenge, loginHint: mailbox.address }) };
}
