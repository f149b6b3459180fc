import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { db } from '@/db';
import { oauthAuthorizations, serverProfiles, type User } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { encryptSecret } from '@/lib/crypto/secrets';
import { sha256 } from '@/lib/crypto/tokens';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { PROVIDERS, sharedMailboxProviders } from '@/lib/providers';
import { recordStartedAuthorization } from '@/lib/oauth/authorizations';
import { enqueueDevicePoll } from './device-poll-job';
import { oauthAppOf, oauthCallbackUrl, type OAuthApp } from '@/lib/oauth/oauth-app';
import { delegateTenantOf } from '@/lib/providers/microsoft365';
import { authorizationServerOf, clientAuthenticationOf, oauthClientOf, requestOptionsFor, unansweredRequestFailure } from '@/lib/oauth/oauth-client';
import { providerText } from '@/lib/providers/provider';

const CODE_FLOW_LIFETIME_MS = 10 * 60 * 1000;
const DEFAULT_DEVICE_INTERVAL_SECONDS = 5;

export type StartedAuthorization =
  | { flow: 'code'; authorizationId: string; authorizationUrl: string }
  | { flow: 'device'; authorizationId: string; userCode: string; verificationUri: string; expiresAt: Date; interval: number };

/** The mailbox a user may connect, with its profile: its owner, or an admin. */
export async function connectableMailbox({ viewer, mailboxId }: { viewer: Pick<User, 'id' | 'role'>; mailboxId: string }) {
  if (viewer.role === 'support') throw new AppError('FORBIDDEN', phrase('oauth.problems.supportCannotConnect'));
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.status === 'disabled') throw new AppError('CONFLICT', phrase('oauth.problems.mailboxDisabled'));
  if (mailbox.approval === 'rejected') throw new AppError('CONFLICT', phrase('oauth.problems.addressRejected'));
  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, mailbox.profileId));
  if (profile!.authType === 'password') throw new AppError('CONFLICT', phrase('oauth.problems.passwordProfile'));
  return { mailbox, profile: profile! };
}

function authorizationUrl(
  app: OAuthApp,
  options: { endpoint: string; state: string; challenge: string; nonce: string | null; loginHint: string },
): string {
  const url = new URL(options.endpoint);
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: oauthCallbackUrl(),
    scope: app.scopes.join(' '),
    state: options.state,
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
    login_hint: options.loginHint,
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...PROVIDERS[app.serverType].authorizationParameters,
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.toString();
}

/** RFC 8628 3.1: a device code and the user code to type at the provider. */
async function requestDeviceCode(app: OAuthApp, deviceEndpoint: string): Promise<oauth.DeviceAuthorizationResponse> {
  const as = authorizationServerOf(app);
  const client = oauthClientOf(app);
  let response: Response;
  try {
    response = await oauth.deviceAuthorizationRequest(as, client, clientAuthenticationOf(app), { scope: app.scopes.join(' ') }, requestOptionsFor(app, deviceEndpoint));
  } catch (error) {
    const unanswered = unansweredRequestFailure(error, 'device');
    if (!unanswered) throw error;
    throw new AppError('UPSTREAM', phrase('oauth.problems.deviceEndpointUnanswered', { reason: unanswered.text('message') }));
  }
  try {
    return await oauth.processDeviceAuthorizationResponse(as, client, response);
  } catch (error) {
    const said = error instanceof oauth.ResponseBodyError ? [providerText(error.error), providerText(error.error_description)].filter(Boolean).join(': ') : '';
    throw new AppError('UPSTREAM', phrase('oauth.problems.deviceStartRefused', { said, hasSaid: said ? 'yes' : 'no' }));
  }
}

/**
 * Starts connecting a mailbox: an authorization URL with PKCE and a single-use state for the code
 * flow, or a user code to type at the provider for the device flow, whose answer a background job
 * then awaits (any portal instance, whether or not the person keeps a page open). Each flow reads
 * only the endpoints it uses.
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
  const provider = PROVIDERS[profile.serverType];
  if (mailbox.shared && !provider.sharedMailboxes) {
    throw new AppError('CONFLICT', phrase('oauth.problems.sharedNotSupported', { providers: sharedMailboxProviders() }));
  }
  if (mailbox.shared && !delegateTenantOf(app)) throw new AppError('CONFLICT', phrase('oauth.outcomes.tenantRequired'));

  if (profile.authType === 'oauth2_device') {
    const refusal = provider.authTypeRefusals.oauth2_device;
    if (refusal) throw new AppError('CONFLICT', phrase(refusal));
    if (!app.deviceEndpoint) {
      throw new AppError('CONFLICT', phrase('oauth.problems.noDeviceEndpoint'));
    }
    const device = await requestDeviceCode(app, app.deviceEndpoint);
    const expiresAt = new Date(Date.now() + device.expires_in * 1000);
    const interval = device.interval ?? DEFAULT_DEVICE_INTERVAL_SECONDS;
    const authorizationId = randomUUID();
    await recordStartedAuthorization({
      id: authorizationId,
      flow: 'device',
      userId: viewer.id,
      mailboxId: mailbox.id,
      profileId: profile.id,
      deviceCode: encryptSecret(device.device_code, secretPlace(oauthAuthorizations.deviceCode, authorizationId)),
      userCode: device.user_code,
      verificationUri: device.verification_uri,
      pollIntervalSeconds: interval,
      expiresAt,
    });
    await enqueueDevicePoll({ authorizationId, afterSeconds: interval });
    return {
      flow: 'device',
      authorizationId,
      userCode: device.user_code,
      verificationUri: device.verification_uri,
      expiresAt,
      interval,
    };
  }

  if (!app.authorizationEndpoint) {
    throw new AppError('CONFLICT', phrase('oauth.problems.noAuthorizationEndpoint'));
  }
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  // The id_token must carry it back, so that one issued for another sign-in is refused.
  const nonce = app.scopes.includes('openid') ? oauth.generateRandomNonce() : null;
  const authorizationId = randomUUID();
  await recordStartedAuthorization({
    id: authorizationId,
    flow: 'code',
    stateHash: sha256(state),
    userId: viewer.id,
    mailboxId: mailbox.id,
    profileId: profile.id,
    codeVerifier: encryptSecret(verifier, secretPlace(oauthAuthorizations.codeVerifier, authorizationId)),
    nonce,
    redirectUri: oauthCallbackUrl(),
    expiresAt: new Date(Date.now() + CODE_FLOW_LIFETIME_MS),
  });
  return {
    flow: 'code',
    authorizationId,
    authorizationUrl: authorizationUrl(app, { endpoint: app.authorizationEndpoint, state, challenge, nonce, loginHint: mailbox.address }),
  };
}
