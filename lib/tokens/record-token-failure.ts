import 'server-only';
import { and, eq, isNotNull } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type OauthGrant, type StoredError } from '@/db/schema';
import { SYSTEM_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { transitionAfterTokenRefusal } from '@/lib/mailboxes/status';
import type { OAuthFailure } from '@/lib/oauth/oauth-failure';

/**
 * Writes down a final refresh failure where people will see it: on the grant, and on the mailbox
 * (needs reconnect) or the profile (its app is refused). Audited once per change of state, not
 * once per attempt.
 */
export async function recordTokenFailure(grant: Pick<OauthGrant, 'id' | 'mailboxId' | 'profileId'>, failure: OAuthFailure): Promise<void> {
  const error = { code: failure.code, message: failure.message, hint: failure.hint, at: new Date().toISOString() };
  await db.transaction(async (tx) => {
    await tx.update(oauthGrants).set({ lastError: error, refreshLeaseUntil: null }).where(eq(oauthGrants.id, grant.id));
    if (failure.reach === 'profile') {
      const [profile] = await tx.select().from(serverProfiles).where(eq(serverProfiles.id, grant.profileId)).for('update');
      if (profile && profile.clientError?.code !== failure.code) {
        await tx.update(serverProfiles).set({ clientError: error }).where(eq(serverProfiles.id, profile.id));
        await recordAuditEvent(tx, {
          actor: SYSTEM_ACTOR,
          action: 'profile.client_refused',
          target: { type: 'profile', id: profile.id },
          profileId: profile.id,
          detail: { code: failure.code, message: failure.message },
        });
      }
      return;
    }
    if (failure.reach === 'mailbox') await recordNeedsReconnect(tx, grant.mailboxId, error);
  });
}

/** The mailbox's stored sign-in no longer works: a connected mailbox turns to needs reconnect, audited once. */
export async function recordNeedsReconnect(executor: Executor, mailboxId: string, reason: StoredError): Promise<void> {
  const [mailbox] = await executor.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)).for('update');
  if (!mailbox || mailbox.connection !== 'connected') return;
  await executor.update(mailboxes).set(transitionAfterTokenRefusal(mailbox, reason)).where(eq(mailboxes.id, mailbox.id));
  await recordAuditEvent(executor, {
    actor: SYSTEM_ACTOR,
    action: 'mailbox.needs_reconnect',
    target: { type: 'mailbox', id: mailbox.id },
    mailboxId: mailbox.id,
    profileId: mailbox.profileId,
    detail: { code: reason.code, message: reason.message },
  });
}

/**
 * The provider took the profile's client again (a refresh or a consent went through): its refusal
 * ends, for the profile's alert and its mailboxes' next step. One conditional update, a no-op
 * while nothing was refused.
 */
export async function recordClientAccepted(executor: Executor, profileId: string): Promise<void> {
  const [cleared] = await executor
    .update(serverProfiles)
    .set({ clientError: null })
    .where(and(eq(serverProfiles.id, profileId), isNotNull(serverProfiles.clientError)))
    .returning({ id: serverProfiles.id });
  if (!cleared) return;
  await recordAuditEvent(executor, {
    actor: SYSTEM_ACTOR,
    action: 'profile.client_accepted',
    target: { type: 'profile', id: profileId },
    profileId,
    detail: { reason: 'the provider accepted the client again' },
  });
}
