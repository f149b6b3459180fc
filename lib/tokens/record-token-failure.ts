import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { oauthGrants, type OauthGrant } from '@/db/schema';
import { recordNeedsReconnect } from '@/lib/mailboxes/record-connection';
import type { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { storedFailure } from './stored-failure';
import { recordClientRefused } from '@/lib/profiles/client-refusal';

/**
 * Writes down a final refresh failure where people will see it: on the grant, and on the mailbox
 * (needs reconnect) or the profile (its app is refused). Audited once per change of state, not
 * once per attempt.
 */
export async function recordTokenFailure(grant: Pick<OauthGrant, 'id' | 'mailboxId' | 'profileId'>, failure: OAuthFailure): Promise<void> {
  const error = storedFailure(failure, new Date());
  await db.transaction(async (tx) => {
    await tx.update(oauthGrants).set({ lastError: error, refreshLeaseUntil: null }).where(eq(oauthGrants.id, grant.id));
    if (failure.reach === 'profile') {
      await recordClientRefused(tx, { profileId: grant.profileId, error });
      return;
    }
    if (failure.reach === 'mailbox') await recordNeedsReconnect(tx, grant.mailboxId, error);
  });
}
