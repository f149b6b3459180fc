import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingAddress, OutgoingContent } from '@/db/schema';

export type ComposedMessage = {
  /** The RFC 5322 message, without Bcc. */
  rfc822: Buffer;
  /** MAIL FROM and every RCPT TO (To, Cc and Bcc, each once). */
  envelope: { from: string; to: string[] };
};

const mailbox = ({ address, name }: OutgoingAddress) => (name ? { name, address } : address);

/**
 * The message a business system asked for, from the mailbox's address, with the Message-ID chosen
 * when it was queued, so that every attempt sends the same message.
 */
export async function composeMessage({ from, content, messageIdHeader }: { from: string; content: OutgoingContent; messageIdHeader: string }): Promise<ComposedMessage> {
  const rfc822 = await new MailComposer({
    from,
    to: content.to.map(mailbox),
    cc: content.cc.map(mailbox),
    bcc: content.bcc.map(mailbox),
    replyTo: content.replyTo.map(mailbox),
    subject: content.subject,
    text: content.text,
    html: content.html,
    attachments: content.attachments.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, content: Buffer.from(contentBase64, 'base64') })),
    headers: content.headers,
    messageId: messageIdHeader,
  })
    .compile()
    .build();
  const recipients = [...content.to, ...content.cc, ...content.bcc].map(({ address }) => address.toLowerCase());
  return { rfc822, envelope: { from, to: [...new Set(recipients)] } };
}

/** The message as SMTP's DATA carries it: CRLF line ends, dot-stuffed (RFC 5321 4.5.2), ending with the lone dot. */
export function smtpData(rfc822: Buffer): Buffer {
  const stuffed = rfc822.toString('utf8').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(`${stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`}.\r\n`, 'utf8');
}

/** A Message-ID in the sending mailbox's domain. */
export function newMessageIdHeader(mailboxAddress: string, id: string): string {
  return `<${id}@${mailboxAddress.split('@').at(-1)}>`;
}
