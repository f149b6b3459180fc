import 'server-only';
import { mailboxes, type Mailbox, type ServerProfile } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { AppError, type Problem } from '@/lib/errors';
import { hasMessage, phrase, renderText, type Phrase, type Text } from '@/lib/i18n/text';
import { recordUnreadablePassword } from '@/lib/mailboxes/unreadable-password';
import { logger } from '@/lib/logger';
import { apiRootOf, directionServerName, socketTargetOf } from '@/lib/mail/server-target';
import { openSubmissionTransport, type SubmissionSignIn } from '@/lib/mail/submission-transport';
import { MailApiError } from '@/lib/mail-api/mail-api-error';
import { sendMessageThroughApi } from '@/lib/mail-api/send-message-through-api';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { isApiProtocol } from '@/lib/providers/provider';
import { loadNotificationSender } from '@/lib/settings/notification-sender';
import { BlockedAddressError, resolveAllowedAddress } from '@/lib/net/address-policy';
import { OutboundRequestError } from '@/lib/net/guarded-fetch';
import { getTrustedCertificates } from '@/lib/tester/trusted-context';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { getReader, writeMail, type MailText, type WriteMail } from './mail-text';

/** A mail to one person, written in their language once they are known (lib/notifications/mail-text.ts). */
export type NotificationMessage = { to: string; write: WriteMail };

/** Whether the message went out, and from whom; otherwise why not, in words free of any secret. */
export type NotificationDelivery = { sent: true; sender: string } | { sent: false; sender: string | null; reason: Text };

class NotSent extends Error {
  constructor(readonly reason: Phrase) {
    super(reason.key);
  }
}

/** A problem's message and hint as texts inside a sentence of ours. */
function problemTexts(problem: Problem): { message: Text; hint: Text } {
  if (!problem.key) return { message: problem.message, hint: problem.hint ?? '' };
  const values = problem.values ? { values: problem.values } : {};
  const hintKey = `${problem.key}.hint`;
  return { message: { key: `${problem.key}.message`, ...values }, hint: hasMessage(hintKey) ? { key: hintKey, ...values } : (problem.hint ?? '') };
}

function withoutSecrets(text: string, secrets: string[]): string {
  return secrets.reduce((scrubbed, secret) => (secret ? scrubbed.split(secret).join('[secret]') : scrubbed), text.split('\n')[0]!.slice(0, 300));
}

async function signInAs(
  mailbox: { id: string; address: string; password: string | null },
  authType: string,
  refreshedSince?: Date,
): Promise<SubmissionSignIn> {
  if (authType === 'password') {
    if (!mailbox.password) throw new NotSent(phrase('mails.notSent.noPassword'));
    try {
      return { user: mailbox.address, pass: decryptSecret(mailbox.password, secretPlace(mailboxes.password, mailbox.id)) };
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      const reason = await recordUnreadablePassword(mailbox.id, error);
      throw new NotSent(phrase('mails.notSent.unreadablePassword', problemTexts(reason)));
    }
  }
  try {
    const token = await getAccessToken({ mailboxId: mailbox.id, refreshedSince });
    return { user: mailbox.address, accessToken: token.accessToken };
  } catch (error) {
    if (error instanceof OAuthFailure) throw new NotSent(phrase('mails.notSent.noToken', problemTexts(error)));
    throw error;
  }
}

type Send = (signIn: SubmissionSignIn) => Promise<void>;

/**
 * How the sender's profile sends: through its web API (Graph, the Gmail API) with the access
 * token, or by SMTP submission to its outgoing server, whose address the network guard resolves
 * here, once.
 */
async function senderFor({ mailbox, profile, message }: { mailbox: Mailbox; profile: ServerProfile; message: MailText & { to: string } }): Promise<Send> {
  const caCertificates = await getTrustedCertificates();
  const timeoutMs = profile.connectionTimeoutSeconds * 1000;
  const protocol = profile.outgoingProtocol;
  if (isApiProtocol(protocol)) {
    return async (signIn) => {
      // Validation gives web API directions OAuth profiles only.
      if (!('accessToken' in signIn)) throw new Error('A web API sends with an access token');
      await sendMessageThroughApi({
        protocol,
        connection: {
          root: apiRootOf(profile, protocol),
          accessToken: signIn.accessToken,
          allowInternal: profile.internalServer,
          caCertificates,
          timeoutMs,
          deadline: Date.now() + timeoutMs,
        },
        sender: { address: mailbox.address, shared: mailbox.shared },
        mail: { fromName: 'Mailroom', to: [message.to], subject: message.subject, text: message.text },
      });
    };
  }
  const target = socketTargetOf(profile, 'outgoing')!;
  const { address } = await resolveAllowedAddress({ host: target.host, internalServer: profile.internalServer });
  return async (signIn) => {
    const transport = await openSubmissionTransport({
      target,
      address,
      signIn,
      acceptedCertificates: profile.trustedCertificates,
      caCertificates,
      timeoutMs,
    });
    try {
      await transport.sendMail({ from: { name: 'Mailroom', address: mailbox.address }, ...message });
    } finally {
      transport.close();
    }
  };
}

/** The server refused the access token: SMTP's 535 after XOAUTH2, a web API's 401. */
function refusedToken(error: unknown): boolean {
  return (error as { code?: string }).code === 'EAUTH' || (error instanceof MailApiError && error.status === 401);
}

/** The address the network guard refused, whether the socket path or the web API path met it. */
function blockedAddressOf(error: unknown): BlockedAddressError | null {
  if (error instanceof BlockedAddressError) return error;
  return error instanceof OutboundRequestError && error.cause instanceof BlockedAddressError ? error.cause : null;
}

/**
 * Sends a notification as the mailbox admins chose, through its profile's outgoing server or web
 * API, behind the same network guard as the tester. Without a sender, or when sending fails,
 * nothing is thrown: the caller learns why and hands the content over another way. The message is
 * never logged. It is written in the recipient's language and time zone.
 */
export async function sendNotification({ to, write }: NotificationMessage): Promise<NotificationDelivery> {
  const [chosen, reader] = await Promise.all([loadNotificationSender(), getReader({ email: to })]);
  const message = { to, ...write(reader) };
  if (!chosen) {
    logger.info('notification not sent: no notification sender is set', { to: message.to, subject: message.subject });
    return { sent: false, sender: null, reason: phrase('mails.notSent.noSender') };
  }
  const { mailbox, profile } = chosen;
  const secrets: string[] = [];
  try {
    const send = await senderFor({ mailbox, profile, message });
    const sendAs = async (signIn: SubmissionSignIn) => {
      secrets.push('accessToken' in signIn ? signIn.accessToken : signIn.pass);
      await send(signIn);
    };
    const signIn = await signInAs(mailbox, profile.authType);
    try {
      await sendAs(signIn);
    } catch (error) {
      // A refused access token may be one revoked since it was stored: a fresh one tells (and the
      // token service records a dead grant), so the sender's status stays true.
      if (!refusedToken(error) || !('accessToken' in signIn)) throw error;
      await sendAs(await signInAs(mailbox, profile.authType, new Date()));
    }
    logger.info('notification sent', { to: message.to, subject: message.subject, sender: mailbox.address });
    return { sent: true, sender: mailbox.address };
  } catch (error) {
    const blocked = blockedAddressOf(error);
    const reason =
      error instanceof NotSent
        ? error.reason
        : blocked
          ? phrase('mails.notSent.blocked', { host: blocked.host, address: blocked.address, verdict: blocked.verdict })
          : phrase('mails.notSent.refused', {
              server: directionServerName(profile, 'outgoing'),
              reply: withoutSecrets(error instanceof MailApiError ? error.reply : error instanceof Error ? error.message : String(error), secrets),
            });
    logger.warn('notification not sent', { to: message.to, subject: message.subject, sender: mailbox.address, reason: renderText(reason, 'en') });
    return { sent: false, sender: mailbox.address, reason };
  }
}

/** An admin's check of the notification sender: a short message to themselves, or the reason it failed. */
export async function sendTestNotification({ to }: { to: string }): Promise<{ sent: true; sender: string; to: string }> {
  const delivery = await sendNotification({ to, write: writeMail('mails.test') });
  if (delivery.sent) return { sent: true, sender: delivery.sender, to };
  if (!delivery.sender) throw new AppError('CONFLICT', phrase('problems.settings.noSender'));
  throw new AppError('UPSTREAM', phrase('problems.settings.testNotSent', { reason: delivery.reason }));
}
