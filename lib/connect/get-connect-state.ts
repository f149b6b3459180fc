import 'server-only';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import { db } from '@/db';
import { oauthAuthorizations, type OauthAuthorization, type User } from '@/db/schema';
import { notFound } from '@/lib/errors';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { phrase } from '@/lib/i18n/text';
import { connectOutcomeOf } from '@/lib/oauth/authorizations';
import { connectOutcome, type ConnectOutcome } from '@/lib/oauth/outcomes';

export type ConnectState = 'pending' | 'connected' | 'denied' | 'expired' | 'failed';

/** Where a sign-in stands, as the follow-up endpoint and the mailbox page tell it. */
export type ConnectProgress = {
  authorizationId: string;
  flow: OauthAuthorization['flow'];
  state: ConnectState;
  connectedAs: string | null;
  /** What it ended with (a success too); null while pending. */
  outcome: ConnectOutcome | null;
  /** While a device sign-in is pending: what the person types, where, until when. */
  device: { userCode: string; verificationUri: string; expiresAt: Date } | null;
};

const EXPIRED_OUTCOME = connectOutcome('expired_token', phrase('oauth.outcomes.signInExpired'));

/** A finished device sign-in stays on the mailbox page this long, so that one reopened later still tells how it ended. */
const SHOWN_AFTER_END_MS = 60 * 60 * 1000;

function stateOf(outcome: ConnectOutcome): ConnectState {
  if (outcome.code === 'connected') return 'connected';
  if (outcome.code === 'declined') return 'denied';
  if (outcome.code === 'expired_token' || outcome.code === 'state_expired') return 'expired';
  return 'failed';
}

function progressOf(authorization: OauthAuthorization, connectedAs: string | null, now: Date): ConnectProgress {
  const stored = authorization.outcome;
  const outcome: ConnectOutcome | null = stored
    ? connectOutcomeOf(stored)
    : // Not claimed in time: nobody will finish it. Claimed without an outcome: the tokens are being stored.
      !authorization.usedAt && authorization.expiresAt <= now
      ? EXPIRED_OUTCOME
      : null;
  const state = outcome ? stateOf(outcome) : 'pending';
  return {
    authorizationId: authorization.id,
    flow: authorization.flow,
    state,
    connectedAs: state === 'connected' ? connectedAs : null,
    outcome,
    device:
      state === 'pending' && authorization.flow === 'device'
        ? { userCode: authorization.userCode!, verificationUri: authorization.verificationUri!, expiresAt: authorization.expiresAt }
        : null,
  };
}

/** One sign-in of a mailbox the viewer can see; NOT_FOUND for another owner's mailbox or an unknown sign-in. */
export async function getConnectProgress({
  viewer,
  mailboxId,
  authorizationId,
}: {
  viewer: Pick<User, 'id' | 'role'>;
  mailboxId: string;
  authorizationId: string;
}): Promise<ConnectProgress> {
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  const [authorization] = await db
    .select()
    .from(oauthAuthorizations)
    .where(and(eq(oauthAuthorizations.id, authorizationId), eq(oauthAuthorizations.mailboxId, mailbox.id)));
  if (!authorization) throw notFound('signIn');
  return progressOf(authorization, mailbox.connectedAs, new Date());
}

/**
 * The viewer's newest device sign-in of the mailbox, while it is pending or for an hour after it
 * ended, so that the mailbox page shows it live and, reopened, how it ended; null otherwise.
 */
export async function getRecentDeviceSignIn({
  viewer,
  mailboxId,
  connectedAs,
}: {
  viewer: Pick<User, 'id'>;
  mailboxId: string;
  connectedAs: string | null;
}): Promise<ConnectProgress | null> {
  const now = new Date();
  const shownSince = new Date(now.getTime() - SHOWN_AFTER_END_MS);
  const [authorization] = await db
    .select()
    .from(oauthAuthorizations)
    .where(
      and(
        eq(oauthAuthorizations.mailboxId, mailboxId),
        eq(oauthAuthorizations.userId, viewer.id),
        eq(oauthAuthorizations.flow, 'device'),
        or(gt(oauthAuthorizations.usedAt, shownSince), and(isNull(oauthAuthorizations.usedAt), gt(oauthAuthorizations.expiresAt, shownSince))),
      ),
    )
    .orderBy(desc(oauthAuthorizations.createdAt))
    .limit(1);
  return authorization ? progressOf(authorization, connectedAs, now) : null;
}
