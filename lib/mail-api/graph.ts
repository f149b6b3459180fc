import 'server-only';
import { z } from 'zod';
import { requestMailApi, type MailApiConnection } from './api-request';

/** Whose mailbox a call reaches: the signed-in account's (`/me`), or another one through it (`/users/{upn}`: a shared mailbox). */
export type GraphMailbox = 'me' | { address: string };

const graphUser = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});
export type GraphUser = z.infer<typeof graphUser>;

const graphFolder = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  totalItemCount: z.number().nullish(),
  unreadItemCount: z.number().nullish(),
});
export type GraphFolder = z.infer<typeof graphFolder>;

const graphMessage = z.object({
  id: z.string(),
  subject: z.string().nullish(),
  internetMessageId: z.string().nullish(),
  receivedDateTime: z.string().nullish(),
});
const graphMessages = z.object({ value: z.array(graphMessage) });
export type GraphMessage = z.infer<typeof graphMessage>;

export type GraphMail = {
  subject: string;
  text: string;
  to: string[];
  /** The sender as recipients read it; the path's mailbox sends either way. */
  from?: { address: string; name?: string };
};

function basePath(mailbox: GraphMailbox): string {
  return mailbox === 'me' ? 'me' : `users/${encodeURIComponent(mailbox.address)}`;
}

/** OData string literal: single quotes, doubled inside. */
function odataString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** GET /me or /users/{upn}: who the account is. */
export function getGraphUser({ connection, mailbox }: { connection: MailApiConnection; mailbox: GraphMailbox }): Promise<GraphUser> {
  return requestMailApi({ service: 'graph', connection, path: basePath(mailbox), query: { $select: 'id,displayName,mail,userPrincipalName' }, schema: graphUser });
}

/** GET …/mailFolders/inbox: the inbox and how many messages it holds. */
export function getGraphInbox({ connection, mailbox }: { connection: MailApiConnection; mailbox: GraphMailbox }): Promise<GraphFolder> {
  return requestMailApi({ service: 'graph', connection, path: `${basePath(mailbox)}/mailFolders/inbox`, schema: graphFolder });
}

/** The inbox's messages with exactly this subject, newest first. */
export async function findGraphInboxMessages({
  connection,
  mailbox,
  subject,
}: {
  connection: MailApiConnection;
  mailbox: GraphMailbox;
  subject: string;
}): Promise<GraphMessage[]> {
  const { value } = await requestMailApi({
    service: 'graph',
    connection,
    path: `${basePath(mailbox)}/mailFolders/inbox/messages`,
    // Graph refuses $orderby on another property than the $filter's: the few matches are sorted here.
    query: { $filter: `subject eq ${odataString(subject)}`, $top: '10', $select: 'id,subject,internetMessageId,receivedDateTime' },
    schema: graphMessages,
  });
  return value.sort((a, b) => (b.receivedDateTime ?? '').localeCompare(a.receivedDateTime ?? ''));
}

/** POST …/sendMail (202, no body): a shared mailbox's path sends as that mailbox, which needs Send As. */
export function sendGraphMail({ connection, mailbox, mail }: { connection: MailApiConnection; mailbox: GraphMailbox; mail: GraphMail }): Promise<void> {
  return requestMailApi({
    service: 'graph',
    connection,
    method: 'POST',
    path: `${basePath(mailbox)}/sendMail`,
    body: {
      message: {
        subject: mail.subject,
        body: { contentType: 'Text', content: mail.text },
        toRecipients: mail.to.map((address) => ({ emailAddress: { address } })),
        ...(mail.from ? { from: { emailAddress: { address: mail.from.address, ...(mail.from.name ? { name: mail.from.name } : {}) } } } : {}),
      },
      saveToSentItems: true,
    },
    schema: null,
  });
}
