import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { db } from '@/db';
import { oauthAuthorizations, serverProfiles, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { decryptSecret } from '@/lib/crypto/secrets';
import { notFound } from '@/lib/errors';
import { getUserById } from '@/lib/users/users';
import { acceptTokens } from './complete-authorization';
import { oauthAppOf } from './oauth-app';
import { OAuthFailure } from './oauth-failure';
import type { ConnectOutcome } from './outcomes';
import { requestToken } from './token-endpoint';

export type DevicePollResult =
  | { status: 'pending'; interval: number }
  | { status: 'done'; outcome: ConnectOutcome };

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Asks the provider once whether the user has finished the device sign-in, following RFC 8628:
 * `authorization_pending` waits, `slow_down` waits 5 s longer from now on, `expired_token` and
 * `access_denied` end it. Polling faster than the interval gets the current interval back.
 */
export async function pollDeviceAuthorization({
  viewer,
  authorizationId,
}: {
  viewer: Pick<User, 'id'>;
  authorizationId: string;
}): Promise<DevicePollResult> {
  const [authorization] = await db
    .select()
    .from(oauthAuthorizations)
    .where(and(eq(oauthAuthorizations.id, authorizationId), eq(oauthAuthorizations.userId, viewer.id), eq(oauthAuthorizations.flow, 'device')));
  if (!authorization) throw notFound('The sign-in');
  const outcomeOf = (outcome: ConnectOutcome): DevicePollResult => ({ status: 'done', outcome });
  if (authorization.usedAt) {
    return outcomeOf(
      authorization.outcome
        ? { ok: authorization.outcome.code === 'connected', ...authorization.outcome }
        : { ok: false, code: 'state_reused', message: 'This sign-in is already finished.', hint: '' },
    );
  }
  const finish = async (outcome: ConnectOutcome): Promise<DevicePollResult> => {
    const stored = { code: outcome.code, message: outcome.message, hint: outcome.hint, at: new Date().toISOString() };
    const [claimed] = await db
      .update(oauthAuthorizations)
      .set({ usedAt: new Date(), outcome: stored })
      .where(and(eq(oauthAuthorizations.id, authorization.id), isNull(oauthAuthorizations.usedAt)))
      .returning({ id: oauthAuthorizations.id });
    return claimed ? outcomeOf(outcome) : pollDeviceAuthorization({ viewer, authorizationId });
  };
  if (authorization.expiresAt < new Date()) {
    return finish({ ok: false, code: 'expired_token', message: 'The code expired before the sign-in was finished.', hint: 'Start again with “Connect”.' });
  }

  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, authorization.profileId));
  const app = oauthAppOf(profile!);
  const interval = authorization.pollIntervalSeconds ?? 5;
  try {
    const tokens = await requestToken(app, { grant_type: DEVICE_CODE_GRANT, device_code: decryptSecret(authorization.deviceCode!) });
    // Claim the authorization first, so two polls that both got tokens store them once.
    const [claimed] = await db
      .update(oauthAuthorizations)
      .set({ usedAt: new Date() })
      .where(and(eq(oauthAuthorizations.id, authorization.id), isNull(oauthAuthorizations.usedAt)))
      .returning({ id: oauthAuthorizations.id });
    if (!claimed) return pollDeviceAuthorization({ viewer, authorizationId });
    const user = await getUserById({ id: viewer.id });
    const outcome = await acceptTokens({ authorization, app, tokens, actor: userActor(user!) });
    await db
      .update(oauthAuthorizations)
      .set({ outcome: { code: outcome.code, message: outcome.message, hint: outcome.hint, at: new Date().toISOString() } })
      .where(eq(oauthAuthorizations.id, authorization.id));
    return outcomeOf(outcome);
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    if (error.code === 'authorization_pending' || error.reach === 'temporary') return { status: 'pending', interval };
    if (error.code === 'slow_down') {
      await db.update(oauthAuthorizations).set({ pollIntervalSeconds: interval + 5 }).where(eq(oauthAuthorizations.id, authorization.id));
      return { status: 'pending', interval: interval + 5 };
    }
    if (error.code === 'access_denied') {
      return finish({ ok: false, code: 'declined', message: 'The sign-in was declined at the provider, so nothing was connected.', hint: 'Connect again when you are ready.' });
    }
    if (error.code === 'expired_token') {
      return finish({ ok: false, code: 'expired_token', message: 'The code expired before the sign-in was finished.', hint: 'Start again with “Connect”.' });
    }
    return finish({ ok: false, code: error.code, message: error.message, hint: error.hint });
  }
}
