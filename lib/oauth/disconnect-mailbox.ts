import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { decryptSecret } from '@/lib/crypto/secrets';
import { AppError, notFound } from '@/lib/errors';
import { getMailbox, type MailboxRow } from '@/lib/mailboxes/mailboxes';
import { transition } from '@/lib/mailboxes/status';
import { describeError, logger } from '@/lib/logger';
import { oauthAppOf, type OAuthApp } from './oauth-app';

/**
 * RFC 7009 revocation, with the client's credentials as the RFC asks; a provider that cannot be
 * reached does not keep the tokens alive here.
 */
async function revokeAtProvider(app: OAuthApp, token: string): Promise<'revoked' | 'not_revoked'> {
  const body = new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: app.clientId });
  if (app.clientSecret) body.set('client_secret', app.clientSecret);
  try {
    const response = await fetch(app.revocationEndpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) logger.warn('token revocation refused', { status: response.status });
    return response.ok ? 'revoked' : 'not_revoked';
  } catch (error) {
    logger.warn('token revocation failed', { error: describeError(error) });
    return 'not_revoked';
  }
}

/**
 * Revokes the grant at the provider where it has a revocation endpoint, forgets the tokens or the
 * password, and sends the mailbox back to `not_connected`.
 */
export async function disconnectMailbox({ viewer, mailboxId }: { viewer: User; mailboxId: string }): Promise<{ mailbox: MailboxRow; revoked: boolean }> {
  if (viewer.role === 'support') throw new AppError('FORBIDDEN', 'Support staff cannot disconnect mailboxes.');
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('The mailbox');
  if (mailbox.connection === 'not_connected') throw new AppError('CONFLICT', 'This mailbox is not connected.');

  const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, mailbox.profileId));
  let revoked = false;
  if (grant?.refreshToken && profile?.revocationEndpoint && profile.authType !== 'password') {
    revoked = (await revokeAtProvider(oauthAppOf(profile), decryptSecret(grant.refreshToken))) === 'revoked';
  }
  await db.transaction(async (tx) => {
    await tx.delete(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    await tx
      .update(mailboxes)
      .set({ ...transition(mailbox, 'disconnected'), connectedAs: null, password: null, passwordHint: null })
      .where(eq(mailboxes.id, mailbox.id));
    await recordAuditEvent(tx, {
      actor: userActor(viewer),
      action: 'mailbox.disconnect',
      target: { type: 'mailbox', id: mailbox.id },
      mailboxId: mailbox.id,
      profileId: mailbox.profileId,
      detail: { revokedAtProvider: revoked },
    });
  });
  return { mailbox: (await getMailbox({ viewer, id: mailbox.id }))!, revoked };
}
