import 'server-only';
import { z } from 'zod';
import { requestMailApi, type MailApiConnection } from './api-request';

// The Gmail API reaches only the signed-in account's own mailbox: every path is users/me.
const ME = 'users/me';

const gmailProfile = z.object({
  emailAddress: z.string(),
  messagesTotal: z.number().nullish(),
  threadsTotal: z.number().nullish(),
  historyId: z.string().nullish(),
});
export type GmailProfile = z.infer<typeof gmailProfile>;

const gmailLabel = z.object({
  id: z.string(),
  name: z.string().nullish(),
  messagesTotal: z.number().nullish(),
  messagesUnread: z.number().nullish(),
});
export type GmailLabel = z.infer<typeof gmailLabel>;

const gmailMessageList = z.object({
  messages: z.array(z.object({ id: z.string(), threadId: z.string().nullish() })).nullish(),
  resultSizeEstimate: z.number().nullish(),
});

const gmailSent = z.object({ id: z.string(), threadId: z.string().nullish(), labelIds: z.array(z.string()).nullish() });
export type GmailSent = z.infer<typeof gmailSent>;

/** users.getProfile: the account's address and counts. */
export function getGmailProfile({ connection }: { connection: MailApiConnection }): Promise<GmailProfile> {
  return requestMailApi({ service: 'gmail', connection, path: `${ME}/profile`, schema: gmailProfile });
}

/** users.labels.get INBOX: the inbox and how many messages it holds. */
export function getGmailInbox({ connection }: { connection: MailApiConnection }): Promise<GmailLabel> {
  return requestMailApi({ service: 'gmail', connection, path: `${ME}/labels/INBOX`, schema: gmailLabel });
}

/** users.messages.list in the inbox with Gmail's search syntax (`rfc822msgid:<id>`, `subject:"…"`): the ids found. */
export async function listGmailInboxMessages({ connection, q }: { connection: MailApiConnection; q: string }): Promise<string[]> {
  const list = await requestMailApi({ service: 'gmail', connection, path: `${ME}/messages`, query: { q, labelIds: 'INBOX', maxResults: '10' }, schema: gmailMessageList });
  return (list.messages ?? []).map((message) => message.id);
}

/** users.messages.send: an RFC 5322 message, as Gmail takes it (base64url), sent from the account. */
export function sendGmailMessage({ connection, rfc822 }: { connection: MailApiConnection; rfc822: Buffer }): Promise<GmailSent> {
  return requestMailApi({ service: 'gmail', connection, method: 'POST', path: `${ME}/messages/send`, body: { raw: rfc822.toString('base64url') }, schema: gmailSent });
}
