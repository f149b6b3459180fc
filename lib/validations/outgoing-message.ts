import { z } from 'zod';
import { emailAddress, id, PRINTABLE } from './common';

/** Recipients of one message, To, Cc and Bcc together. */
export const MAX_RECIPIENTS = 100;
/** Characters of the text or of the HTML body, each. */
export const MAX_BODY_CHARACTERS = 1_000_000;
export const MAX_ATTACHMENTS = 20;
/** Bytes of all attachments together, decoded: below what Gmail (25 MB) and Exchange Online (35 MB, 25 MB over SMTP for some tenants) take once encoded. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** What the request may weigh: the attachments in base64 (4/3), both bodies, and the JSON around them. */
export const MAX_REQUEST_BYTES = 24 * 1024 * 1024;
export const MAX_HEADERS = 20;

/**
 * Headers a business system may set besides the ones the portal writes itself (From, To, Subject,
 * Date, Message-ID, MIME…): threading, list and automation headers, and any X- header. Nothing that
 * changes who sent the message, where it goes or how it is encoded.
 */
const SAFE_HEADERS = new Set([
  'in-reply-to',
  'references',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'auto-submitted',
  'precedence',
  'importance',
  'priority',
  'keywords',
  'comments',
]);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,76}$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
// One character class, not groups of four: a repeated group overflows the regular expression engine's stack on megabytes.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64_CHARACTERS.test(text);

export function isSafeHeaderName(name: string): boolean {
  return HEADER_NAME.test(name) && (SAFE_HEADERS.has(name.toLowerCase()) || /^x-/i.test(name));
}

/** A line of a header: printable, no CR or LF, so nothing can start a header of its own. */
const headerText = (max: number) =>
  z
    .string()
    .max(max, { error: 'validation.common.tooLong' })
    .regex(PRINTABLE, { error: 'validation.outgoingMessage.lineBreak' });

// Strict: a misspelt `adress` or `nmae` is refused rather than ignored.
const addressObject = z.strictObject({ address: emailAddress, name: headerText(200).trim().optional() });
const address = z.union([emailAddress, addressObject]);
type Address = z.output<typeof address>;
const asObject = (item: Address) => (typeof item === 'string' ? { address: item } : item);
/**
 * One address or a list of them. The options transform nothing: zod picks the one option that
 * fails on the value rather than on its type only when no option is a failed pipe, and so an error
 * inside a list names its item (`cc.0`).
 */
const addresses = z
  .union([z.array(address).max(MAX_RECIPIENTS, { error: 'validation.outgoingMessage.tooManyRecipients' }), emailAddress, addressObject], {
    error: 'validation.outgoingMessage.addresses',
  })
  .transform((value) => (Array.isArray(value) ? value : [value]).map(asObject));

const attachment = z.object({
  filename: headerText(255).trim().min(1, { error: 'validation.outgoingMessage.filenameRequired' }),
  contentType: z
    .string()
    .trim()
    .regex(MIME_TYPE, { error: 'validation.outgoingMessage.contentType' })
    .default('application/octet-stream'),
  // Line breaks inside base64 (as mail tools wrap it) are allowed; anything else is not base64.
  contentBase64: z
    .string()
    .transform((value) => value.replace(/[\r\n\t ]/g, ''))
    .refine(isBase64, { error: 'validation.outgoingMessage.notBase64' }),
});

const body = z.string().max(MAX_BODY_CHARACTERS, { error: 'validation.outgoingMessage.bodyTooLarge' });

/** The bytes base64 text decodes to, without decoding it. */
function decodedLength(base64: string): number {
  return (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
}

/** A message a business system sends through a mailbox: POST /api/v1/mailboxes/{id}/messages. */
export const outgoingMessageInput = z
  .object({
    to: addresses,
    cc: addresses.default([]),
    bcc: addresses.default([]),
    replyTo: addresses.default([]),
    subject: headerText(998),
    text: body.optional(),
    html: body.optional(),
    attachments: z.array(attachment).max(MAX_ATTACHMENTS, { error: 'validation.outgoingMessage.tooManyAttachments' }).default([]),
    headers: z.record(z.string(), headerText(998)).default({}),
  })
  .superRefine((message, context) => {
    if (message.to.length === 0) context.addIssue({ code: 'custom', path: ['to'], message: 'validation.outgoingMessage.recipientRequired' });
    if (message.to.length + message.cc.length + message.bcc.length > MAX_RECIPIENTS) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'validation.outgoingMessage.tooManyRecipients', params: { maximum: MAX_RECIPIENTS } });
    }
    if (message.text === undefined && message.html === undefined) {
      context.addIssue({ code: 'custom', path: ['text'], message: 'validation.outgoingMessage.bodyRequired' });
    }
    const attachmentBytes = message.attachments.reduce((total, { contentBase64 }) => total + decodedLength(contentBase64), 0);
    if (attachmentBytes > MAX_ATTACHMENT_BYTES) {
      context.addIssue({ code: 'custom', path: ['attachments'], message: 'validation.outgoingMessage.attachmentsTooLarge', params: { megabytes: MAX_ATTACHMENT_BYTES / 1024 / 1024 } });
    }
    const names = Object.keys(message.headers);
    if (names.length > MAX_HEADERS) context.addIssue({ code: 'custom', path: ['headers'], message: 'validation.outgoingMessage.tooManyHeaders', params: { maximum: MAX_HEADERS } });
    for (const name of names.filter((name) => !isSafeHeaderName(name))) {
      context.addIssue({ code: 'custom', path: ['headers', name], message: 'validation.outgoingMessage.headerNotAllowed' });
    }
  });

export type OutgoingMessageInput = z.output<typeof outgoingMessageInput>;

/** The Idempotency-Key header: what Stripe and the IETF draft allow, visible ASCII up to 255 characters. */
export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, { error: 'validation.outgoingMessage.idempotencyKey' });

export const outboxMessageParams = z.object({ id, messageId: id });
