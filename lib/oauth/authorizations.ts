import 'server-only';
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { oauthAuthorizations, type NewOauthAuthorization, type OauthAuthorization, type StoredError } from '@/db/schema';
import { sha256 } from '@/lib/crypto/tokens';
import type { ConnectOutcome } from './outcomes';

// The one writer of the oauth_authorizations table: a sign-in's start, claiming its state (single
// use) and recording the outcome the mailbox page reads back.

// The key and values go with the English, so that each reader sees the outcome in their own language.
const stored = (outcome: Omit<ConnectOutcome, 'ok'>, at = new Date()): StoredError => ({
  code: outcome.code,
  message: outcome.message,
  hint: outcome.hint,
  at: at.toISOString(),
  ...(outcome.key ? { key: outcome.key } : {}),
  ...(outcome.values ? { values: outcome.values } : {}),
});

/** Records a sign-in as it starts: its flow, who started it for which mailbox, and its encrypted verifier or device code. */
export async function recordStartedAuthorization(authorization: NewOauthAuthorization & { id: string }): Promise<void> {
  await db.insert(oauthAuthorizations).values(authorization);
}

/** A recorded outcome as the mailbox page and the device poll tell it. */
export function connectOutcomeOf(outcome: StoredError): ConnectOutcome {
  const { code, message, hint, key, values } = outcome;
  return { ok: code === 'connected', code, message, hint, ...(key ? { key } : {}), ...(values ? { values } : {}) };
}

export async function getAuthorization({ id, flow }: { id: string; flow: OauthAuthorization['flow'] }): Promise<OauthAuthorization | null> {
  const [row] = await db
    .select()
    .from(oauthAuthorizations)
    .where(and(eq(oauthAuthorizations.id, id), eq(oauthAuthorizations.flow, flow)));
  return row ?? null;
}

/** The code flow's sign-in a callback's `state` belongs to, or null. */
export async function getAuthorizationByState(state: string): Promise<OauthAuthorization | null> {
  const [row] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.stateHash, sha256(state)));
  return row ?? null;
}

/** The outcome recorded on one of the mailbox's sign-ins, or null while it has none. */
export async function getAuthorizationOutcome({ id, mailboxId }: { id: string; mailboxId: string }): Promise<ConnectOutcome | null> {
  const [row] = await db
    .select({ outcome: oauthAuthorizations.outcome })
    .from(oauthAuthorizations)
    .where(and(eq(oauthAuthorizations.id, id), eq(oauthAuthorizations.mailboxId, mailboxId)));
  return row?.outcome ? connectOutcomeOf(row.outcome) : null;
}

/**
 * Takes the sign-in for its one use, with its outcome when it is already known: only the first of
 * concurrent callers gets true, the others find it used.
 */
export async function claimAuthorization({ id, outcome }: { id: string; outcome?: ConnectOutcome }): Promise<boolean> {
  const [claimed] = await db
    .update(oauthAuthorizations)
    .set({ usedAt: new Date(), ...(outcome ? { outcome: stored(outcome) } : {}) })
    .where(and(eq(oauthAuthorizations.id, id), isNull(oauthAuthorizations.usedAt)))
    .returning({ id: oauthAuthorizations.id });
  return Boolean(claimed);
}

/** Records what a claimed sign-in ended with, for the mailbox page. */
export async function recordAuthorizationOutcome({ id, outcome }: { id: string; outcome: ConnectOutcome }): Promise<void> {
  await db.update(oauthAuthorizations).set({ outcome: stored(outcome) }).where(eq(oauthAuthorizations.id, id));
}

/** Claims the unused code-flow sign-in of `state` with its outcome; the claimed row's ids, or null. */
export async function claimAuthorizationByState({
  state,
  outcome,
}: {
  state: string;
  outcome: Omit<ConnectOutcome, 'ok'>;
}): Promise<{ id: string; mailboxId: string } | null> {
  const [closed] = await db
    .update(oauthAuthorizations)
    .set({ usedAt: new Date(), outcome: stored(outcome) })
    .where(and(eq(oauthAuthorizations.stateHash, sha256(state)), eq(oauthAuthorizations.flow, 'code'), isNull(oauthAuthorizations.usedAt)))
    .returning({ id: oauthAuthorizations.id, mailboxId: oauthAuthorizations.mailboxId });
  return closed ?? null;
}

/** Ends every unused sign-in of the profile with `reason`, in the caller's transaction. */
export async function endProfileAuthorizations(executor: Executor, { profileId, reason }: { profileId: string; reason: StoredError }): Promise<void> {
  await executor
    .update(oauthAuthorizations)
    .set({ usedAt: new Date(reason.at), outcome: reason })
    .where(and(eq(oauthAuthorizations.profileId, profileId), isNull(oauthAuthorizations.usedAt)));
}

/**
 * One conditional update takes a device sign-in's turn to poll, so concurrent polls reach the
 * provider once per interval: true when this caller has the turn.
 */
export async function takeDevicePollTurn({ id, intervalSeconds, now }: { id: string; intervalSeconds: number; now: Date }): Promise<boolean> {
  const [turn] = await db
    .update(oauthAuthorizations)
    .set({ lastPolledAt: now })
    .where(
      and(
        eq(oauthAuthorizations.id, id),
        isNull(oauthAuthorizations.usedAt),
        or(isNull(oauthAuthorizations.lastPolledAt), lte(oauthAuthorizations.lastPolledAt, new Date(now.getTime() - intervalSeconds * 1000))),
      ),
    )
    .returning({ id: oauthAuthorizations.id });
  return Boolean(turn);
}

export async function setDevicePollInterval({ id, intervalSeconds }: { id: string; intervalSeconds: number }): Promise<void> {
  await db.update(oauthAuthorizations).set({ pollIntervalSeconds: intervalSeconds }).where(eq(oauthAuthorizations.id, id));
}
