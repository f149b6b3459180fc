import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { oauthAuthorizations, serverProfiles } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret } from '@/lib/crypto/secrets';
import { getUserById } from '@/lib/users/users';
import { claimAuthorization, connectOutcomeOf, getAuthorization, recordAuthorizationOutcome, setDevicePollInterval, takeDevicePollTurn } from '@/lib/oauth/authorizations';
import { acceptTokens } from './complete-authorization';
import { oauthAppOf } from '@/lib/oauth/oauth-app';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { phrase } from '@/lib/i18n/text';
import { connectOutcome, failureOutcome, type ConnectOutcome } from '@/lib/oauth/outcomes';
import { requestDeviceCodeTokens } from '@/lib/oauth/token-endpoint';

export type DevicePollResult =
  /** `interval`: seconds to wait before the next poll. */
  | { status: 'pending'; interval: number }
  | { status: 'done'; outcome: ConnectOutcome };

const SLOW_DOWN_SECONDS = 5;
const GONE_OUTCOME = connectOutcome('authorization_gone', phrase('oauth.outcomes.authorizationGone'));
const EXPIRED_OUTCOME = connectOutcome('expired_token', phrase('oauth.outcomes.codeExpired'));

/**
 * Asks the provider whether the user has finished the device sign-in, following RFC 8628 on the
 * server (the device-poll job calls it): the provider is asked at most once per interval from
 * whichever portal instance (a poll before then gets the remaining wait), `authorization_pending`
 * waits, `slow_down` waits 5 s longer from then on, `expired_token` and `access_denied` end it.
 * Tokens are accepted for the person who started the sign-in, as they stand now. Null when there
 * is no such sign-in (purged).
 */
export async function pollDeviceAuthorization({ authorizationId }: { authorizationId: string }): Promise<DevicePollResult | null> {
  const authorization = await getAuthorization({ id: authorizationId, flow: 'device' });
  if (!authorization) return null;
  const outcomeOf = (outcome: ConnectOutcome): DevicePollResult => ({ status: 'done', outcome });
  // Another poll finished it meanwhile: read what it recorded.
  const pollAgain = async (): Promise<DevicePollResult> => (await pollDeviceAuthorization({ authorizationId })) ?? outcomeOf(GONE_OUTCOME);
  if (authorization.usedAt) {
    return outcomeOf(
      authorization.outcome
        ? connectOutcomeOf(authorization.outcome)
        : connectOutcome('state_reused', phrase('oauth.outcomes.deviceFinished')),
    );
  }
  const finish = async (outcome: ConnectOutcome): Promise<DevicePollResult> => {
    return (await claimAuthorization({ id: authorization.id, outcome })) ? outcomeOf(outcome) : pollAgain();
  };
  if (authorization.expiresAt < new Date()) {
    return finish(EXPIRED_OUTCOME);
  }

  const interval = authorization.pollIntervalSeconds ?? 5;
  const now = new Date();
  if (!(await takeDevicePollTurn({ id: authorization.id, intervalSeconds: interval, now }))) {
    const current = await getAuthorization({ id: authorization.id, flow: 'device' });
    if (current?.usedAt) return pollAgain();
    const nextPollAt = (current?.lastPolledAt?.getTime() ?? now.getTime()) + (current?.pollIntervalSeconds ?? interval) * 1000;
    return { status: 'pending', interval: Math.max(1, Math.ceil((nextPollAt - now.getTime()) / 1000)) };
  }

  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, authorization.profileId));
  const app = oauthAppOf(profile!);
  try {
    const tokens = await requestDeviceCodeTokens(app, decryptSecret(authorization.deviceCode!, secretPlace(oauthAuthorizations.deviceCode, authorization.id)));
    // Claim the authorization first, so two polls that both got tokens store them once.
    if (!(await claimAuthorization({ id: authorization.id }))) return pollAgain();
    const outcome = await acceptTokens({ authorization, app, tokens, user: await getUserById({ id: authorization.userId }) });
    await recordAuthorizationOutcome({ id: authorization.id, outcome });
    return outcomeOf(outcome);
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    if (error.code === 'authorization_pending' || error.reach === 'temporary') return { status: 'pending', interval };
    if (error.code === 'slow_down') {
      await setDevicePollInterval({ id: authorization.id, intervalSeconds: interval + SLOW_DOWN_SECONDS });
      return { status: 'pending', interval: interval + SLOW_DOWN_SECONDS };
    }
    if (error.code === 'access_denied') {
      return finish(connectOutcome('declined', phrase('oauth.outcomes.deviceDeclined')));
    }
    if (error.code === 'expired_token') return finish(EXPIRED_OUTCOME);
    return finish(failureOutcome(error));
  }
}
