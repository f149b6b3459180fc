import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { oauthGrants, serverProfiles, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { getMailbox, type MailboxRow } from '@/lib/mailboxes/mailboxes';
import { recordMailboxDisconnected } from '@/lib/mailboxes/record-connection';
import { ClientSecretUnreadableError, oauthAppOf } from '@/lib/oauth/oauth-app';
import { revokeTokens } from '@/lib/oauth/revoke-tokens';

/**
 * Revokes the grant at the provider where it has a revocation endpoint, forgets the tokens or the
 * password, and sends the mailbox back to `not_connected`.
 */
export async function disconnectMailbox({ viewer, mailboxId }: { viewer: User; mailboxId: string }): Promise<{ mailbox: MailboxRow; revoked: boolean }> {
  if (viewer.role === 'support') throw new AppError('FORBIDDEN', phrase('tokens.problems.disconnectForbidden'));
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.connection === 'not_connected') throw new AppError('CONFLICT', phrase('tokens.problems.notConnected'));

  const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, mailbox.profileId));
  let revoked = false;
  if (grant?.refreshToken && profile?.revocationEndpoint && profile.authType !== 'password') {
    try {
      revoked = await revokeTokens(oauthAppOf(profile), {
        refreshToken: decryptSecret(grant.refreshToken, secretPlace(oauthGrants.refreshToken, grant.id)),
        accessToken: grant.accessToken ? decryptSecret(grant.accessToken, secretPlace(oauthGrants.accessToken, grant.id)) : null,
      });
    } catch (error) {
      // What cannot be decrypted cannot be revoked either; the mailbox is disconnected all the same.
      if (!(error instanceof SecretDecryptionError || error instanceof ClientSecretUnreadableError)) throw error;
    }
  }
  await db.transaction(async (tx) => {
    await tx.delete(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    await recordMailboxDisconnected(tx, mailbox);
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
