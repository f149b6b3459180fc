import 'server-only';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '@/db';
import { mailboxes, oauthAuthorizations, oauthGrants, type StoredError } from '@/db/schema';
import { SYSTEM_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { transitionAfterTokenRefusal } from '@/lib/mailboxes/status';
import { DESTINATION_FIELDS, type DestinationField } from '@/lib/profiles/destination';

/** Not a test's failure class: the owner ends it by connecting again, like a refused grant. */
const OAUTH_APP_CHANGED = 'oauth_app_changed';

function reasonFor(changedFields: readonly DestinationField[], at: Date): StoredError {
  const what = changedFields.map((field) => DESTINATION_FIELDS[field]).join(', ');
  return {
    code: OAUTH_APP_CHANGED,
    message: `An admin changed the server profile's OAuth app (${what}): the mailbox's tokens were issued for the previous one and were deleted.`,
    hint: 'Connect the mailbox again to sign in through the profile’s new settings.',
    at: at.toISOString(),
  };
}

/**
 * Ends every grant of the profile's mailboxes when the profile's OAuth destination changed (token,
 * device, revocation, userinfo or JWKS endpoint, issuer, tenant, client id, client authentication):
 * their refresh tokens were issued for the old one and must never be sent to the new one. Deletes
 * the tokens, moves each connected mailbox to needs-reconnect with the reason, and ends Connects in
 * progress, whose codes would otherwise be exchanged at the new destination. Runs in the caller's
 * transaction, the profile's update. Returns how many grants ended.
 */
export async function invalidateProfileGrants(
  executor: Executor,
  { profileId, changedFields }: { profileId: string; changedFields: readonly DestinationField[] },
): Promise<number> {
  const now = new Date();
  const reason = reasonFor(changedFields, now);
  const profileMailboxes = executor.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.profileId, profileId));
  const ended = await executor
    .delete(oauthGrants)
    .where(inArray(oauthGrants.mailboxId, profileMailboxes))
    .returning({ mailboxId: oauthGrants.mailboxId });

  await executor
    .update(oauthAuthorizations)
    .set({ usedAt: now, outcome: reason })
    .where(and(eq(oauthAuthorizations.profileId, profileId), isNull(oauthAuthorizations.usedAt)));

  if (ended.length === 0) return 0;
  const affected = await executor
    .select()
    .from(mailboxes)
    .where(and(inArray(mailboxes.id, ended.map((grant) => grant.mailboxId)), eq(mailboxes.connection, 'connected')))
    .for('update');
  for (const mailbox of affected) {
    await executor.update(mailboxes).set(transitionAfterTokenRefusal(mailbox, reason)).where(eq(mailboxes.id, mailbox.id));
    await recordAuditEvent(executor, {
      actor: SYSTEM_ACTOR,
      action: 'mailbox.needs_reconnect',
      target: { type: 'mailbox', id: mailbox.id },
      mailboxId: mailbox.id,
      profileId,
      detail: { code: reason.code, message: reason.message },
    });
  }
  return ended.length;
}
