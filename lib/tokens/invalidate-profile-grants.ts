import 'server-only';
import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '@/db';
import { mailboxes, oauthGrants, type StoredError } from '@/db/schema';
import { endProfileAuthorizations } from '@/lib/oauth/authorizations';
import { recordNeedsReconnect } from '@/lib/mailboxes/record-connection';

/** Not a test's failure class: the owner ends it by connecting again, like a refused grant. */
const OAUTH_APP_CHANGED = 'oauth_app_changed';

function reasonFor(changed: readonly string[], at: Date): StoredError {
  const what = changed.join(', ');
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
  /** `changed` names what changed as people read it ("the token endpoint"). */
  { profileId, changed }: { profileId: string; changed: readonly string[] },
): Promise<number> {
  const now = new Date();
  const reason = reasonFor(changed, now);
  const profileMailboxes = executor.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.profileId, profileId));
  const ended = await executor
    .delete(oauthGrants)
    .where(inArray(oauthGrants.mailboxId, profileMailboxes))
    .returning({ mailboxId: oauthGrants.mailboxId });

  await endProfileAuthorizations(executor, { profileId, reason });

  for (const grant of ended) await recordNeedsReconnect(executor, grant.mailboxId, reason);
  return ended.length;
}
