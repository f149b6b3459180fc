import 'server-only';
import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '@/db';
import { mailboxes, oauthGrants, type StoredError } from '@/db/schema';
import { problemOf } from '@/lib/errors';
import { phrase, type MessagePath, type Phrase } from '@/lib/i18n/text';
import { endProfileAuthorizations } from '@/lib/oauth/authorizations';
import { recordNeedsReconnect } from '@/lib/mailboxes/record-connection';

/** Not a test's failure class: the owner ends it by connecting again, like a refused grant. */
const OAUTH_APP_CHANGED = 'oauth_app_changed';

/** The profile's destination fields (lib/profiles/destination.ts) as the reason names them. */
const FIELD_WORDS: Record<string, MessagePath> = {
  'endpoints.token': 'tokens.reasons.fields.tokenEndpoint',
  'endpoints.device': 'tokens.reasons.fields.deviceEndpoint',
  'endpoints.revocation': 'tokens.reasons.fields.revocationEndpoint',
  'endpoints.userinfo': 'tokens.reasons.fields.userinfoEndpoint',
  'endpoints.jwks': 'tokens.reasons.fields.jwksEndpoint',
  'endpoints.api': 'tokens.reasons.fields.apiEndpoint',
  issuer: 'tokens.reasons.fields.issuer',
  tenant: 'tokens.reasons.fields.tenant',
  clientId: 'tokens.reasons.fields.clientId',
  tokenEndpointAuthMethod: 'tokens.reasons.fields.tokenEndpointAuthMethod',
};

/** "the token endpoint, the issuer": each field in the reader's language, a field this list does not know by its name. */
function fieldList([first, ...rest]: readonly string[]): Phrase | string {
  const word = FIELD_WORDS[first ?? ''];
  const named = word ? phrase(word) : (first ?? '');
  return rest.length === 0 ? named : phrase('tokens.reasons.fieldList', { first: named, rest: fieldList(rest) });
}

function reasonFor(changed: readonly string[], at: Date): StoredError {
  const { code, message, hint, key, values } = problemOf(OAUTH_APP_CHANGED, phrase('tokens.reasons.oauthAppChanged', { changed: fieldList(changed) }));
  return { code, message, hint: hint ?? '', at: at.toISOString(), key, values };
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
  /** `changed` names the profile's fields that changed (`endpoints.token`, `tenant`…). */
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
