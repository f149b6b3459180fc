import 'server-only';
import { mailboxes } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { AppError } from '@/lib/errors';
import { recordUnreadablePassword } from '@/lib/mailboxes/unreadable-password';
import { logger } from '@/lib/logger';
import { openSubmissionTransport, type SubmissionSignIn } from '@/lib/mail/submission-transport';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { loadNotificationSender } from '@/lib/settings/notification-sender';
import { BlockedAddressError, resolveAllowedAddress } from '@/lib/net/address-policy';
import { getTrustedCertificates } from '@/lib/tester/trusted-context';
import { getAccessToken } from '@/lib/tokens/get-access-token';

export type NotificationMessage = { to: string; subject: string; text: string };

/** Whether the message went out, and from whom; otherwise why not, in words free of any secret. */
export type NotificationDelivery = { sent: true; sender: string } | { sent: false; sender: string | null; reason: string };

class NotSent extends Error {}

function withoutSecrets(text: string, secrets: string[]): string {
  return secrets.reduce((scrubbed, secret) => (secret ? scrubbed.split(secret).join('[secret]') : scrubbed), text.split('\n')[0]!.slice(0, 300));
}

async function signInAs(
  mailbox: { id: string; address: string; password: string | null },
  authType: string,
  refreshedSince?: Date,
): Promise<SubmissionSignIn> {
  if (authType === 'password') {
    if (!mailbox.password) throw new NotSent('no password is stored for the sender mailbox: its owner enters it.');
    try {
      return { user: mailbox.address, pass: decryptSecret(mailbox.password, secretPlace(mailboxes.password, mailbox.id)) };
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      const reason = await recordUnreadablePassword(mailbox.id, error);
      throw new NotSent(`the sender mailbox has no usable password (${reason.message} ${reason.hint})`);
    }
  }
  try {
    const token = await getAccessToken({ mailboxId: mailbox.id, refreshedSince });
    return { user: mailbox.address, accessToken: token.accessToken };
  } catch (error) {
    if (error instanceof OAuthFailure) throw new NotSent(`the sender mailbox has no usable token (${error.message} ${error.hint})`);
    throw error;
  }
}

/**
 * Sends a notification as the mailbox admins chose, through its profile's outgoing server, behind
 * the same network guard as the tester. Without a sender, or when sending fails, nothing is thrown:
 * the caller learns why and hands the content over another way. The message is never logged.
 */
export async function sendNotification(message: NotificationMessage): Promise<NotificationDelivery> {
  const chosen = await loadNotificationSender();
  if (!chosen) {
    logger.info('notification not sent: no notification sender is set', { to: message.to, subject: message.subject });
    return { sent: false, sender: null, reason: 'no notification sender is set (an admin chooses one in Settings)' };
  }
  const { mailbox, profile } = chosen;
  const secrets: string[] = [];
  try {
    const { address } = await resolveAllowedAddress({ host: profile.outgoingHost, internalServer: profile.internalServer });
    const send = async (signIn: SubmissionSignIn) => {
      secrets.push('accessToken' in signIn ? signIn.accessToken : signIn.pass);
      const transport = await openSubmissionTransport({
        target: { host: profile.outgoingHost, port: profile.outgoingPort, security: profile.outgoingSecurity },
        address,
        signIn,
        acceptedCertificates: profile.trustedCertificates,
        caCertificates: await getTrustedCertificates(),
        timeoutMs: profile.connectionTimeoutSeconds * 1000,
      });
      try {
        await transport.sendMail({ from: { name: 'Mailroom', address: mailbox.address }, ...message });
      } finally {
        transport.close();
      }
    };
    const signIn = await signInAs(mailbox, profile.authType);
    try {
      await send(signIn);
    } catch (error) {
      // A refused access token may be one revoked since it was stored: a fresh one tells (and the
      // token service records a dead grant), so the sender's status stays true.
      if ((error as { code?: string }).code !== 'EAUTH' || !('accessToken' in signIn)) throw error;
      await send(await signInAs(mailbox, profile.authType, new Date()));
    }
    logger.info('notification sent', { to: message.to, subject: message.subject, sender: mailbox.address });
    return { sent: true, sender: mailbox.address };
  } catch (error) {
    const reason =
      error instanceof NotSent || error instanceof BlockedAddressError
        ? error.message
        : `${profile.outgoingHost}:${profile.outgoingPort} did not take it: ${withoutSecrets(error instanceof Error ? error.message : String(error), secrets)}`;
    logger.warn('notification not sent', { to: message.to, subject: message.subject, sender: mailbox.address, reason });
    return { sent: false, sender: mailbox.address, reason };
  }
}

/** An admin's check of the notification sender: a short message to themselves, or the reason it failed. */
export async function sendTestNotification({ to }: { to: string }): Promise<{ sent: true; sender: string; to: string }> {
  const delivery = await sendNotification({
    to,
    subject: 'Mailroom test notification',
    text: 'Mailroom sent this message to check that notifications, such as reconnect links, reach people. You can delete it.',
  });
  if (delivery.sent) return { sent: true, sender: delivery.sender, to };
  if (!delivery.sender) {
    throw new AppError('CONFLICT', 'No notification sender is set, so no notification was sent.', {
      hint: 'Choose the mailbox notifications are sent from (Settings, “Send notifications from”), save it, then send the test again.',
    });
  }
  throw new AppError('UPSTREAM', `The test notification was not sent: ${delivery.reason}`);
}
