import 'server-only';
import { and, isNotNull, lt, or } from 'drizzle-orm';
import { db } from '@/db';
import { oauthAuthorizations, reconnectLinks } from '@/db/schema';

/** Kept this long past their end, so that a mailbox page opened late still tells a connect's outcome. */
const KEEP_AFTER_END_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes sign-ins and reconnect links nobody can use any more: expired, or spent, a day ago. Their
 * encrypted PKCE verifiers and device codes go with them.
 */
export async function purgeSpentAuthorizations({ now = new Date() }: { now?: Date } = {}): Promise<{ authorizations: number; reconnectLinks: number }> {
  const before = new Date(now.getTime() - KEEP_AFTER_END_MS);
  const [authorizations, links] = await Promise.all([
    db
      .delete(oauthAuthorizations)
      .where(or(lt(oauthAuthorizations.expiresAt, before), and(isNotNull(oauthAuthorizations.usedAt), lt(oauthAuthorizations.usedAt, before))))
      .returning({ id: oauthAuthorizations.id }),
    db
      .delete(reconnectLinks)
      .where(or(lt(reconnectLinks.expiresAt, before), and(isNotNull(reconnectLinks.usedAt), lt(reconnectLinks.usedAt, before))))
      .returning({ id: reconnectLinks.id }),
  ]);
  return { authorizations: authorizations.length, reconnectLinks: links.length };
}
