import 'server-only';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ApiProtocol } from '@/lib/providers/provider';
import type { MailApiConnection } from './api-request';
import { sendGmailMessage } from './gmail';
import { sendGraphMail } from './graph';

export type ApiOutgoingMail = {
  /** The display name recipients read beside the sending mailbox's address. */
  fromName?: string;
  to: string[];
  subject: string;
  text: string;
};

/**
 * Sends a message from a mailbox through its profile's web API: Graph's sendMail (a shared
 * mailbox's path sends as it, which Exchange allows with Send As), or the Gmail API's
 * messages.send with the RFC 5322 message built here. Resolves with the Message-ID when Mailroom
 * chose it (Gmail; Graph assigns its own), to find the message again.
 */
export async function sendMessageThroughApi({
  protocol,
  connection,
  sender,
  mail,
}: {
  protocol: ApiProtocol;
  connection: MailApiConnection;
  sender: { address: string; shared: boolean };
  mail: ApiOutgoingMail;
}): Promise<{ messageId: string | null }> {
  if (protocol === 'graph') {
    await sendGraphMail({
      connection,
      mailbox: sender.shared ? { address: sender.address } : 'me',
      mail: { subject: mail.subject, text: mail.text, to: mail.to, ...(mail.fromName ? { from: { address: sender.address, name: mail.fromName } } : {}) },
    });
    return { messageId: null };
  }
  const messageId = `<${randomUUID()}@${sender.address.split('@').at(-1)}>`;
  const rfc822 = await new MailComposer({
    from: mail.fromName ? { name: mail.fromName, address: sender.address } : sender.address,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId,
  })
    .compile()
    .build();
  await sendGmailMessage({ connection, rfc822 });
  return { messageId };
}
