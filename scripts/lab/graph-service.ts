// A Microsoft Graph stand-in for the calls a mail connection makes: the user, the inbox, its messages
// and sendMail, for the lab's Microsoft accounts, with Exchange Online's mailbox permissions.
import { createHash, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { z } from 'zod';
import type { MailApiFaults, MailboxDelegations } from './api-faults';
import type { ApiAnswer, ApiRequest } from './api-server';
import { bearerTokenOf, type IntrospectToken } from './bearer-tokens';
import {
  GRAPH_WORDS,
  graphAccessDenied,
  graphBadRequest,
  graphError,
  graphFaultAnswer,
  graphThrottled,
  graphTokenRefusal,
  type GraphRequestIds,
} from './graph-errors';
import { parseGraphMessageQuery, selectProperties, type GraphMessage } from './graph-query';
import type { LabAccounts } from './lab-accounts';
import { GRAPH_PERMISSIONS, GRAPH_RESOURCE, type GraphPermission } from './lab-config';
import type { GraphFault, LabAccount, MailboxRights } from './lab-info';
import { headerValue, parseAddresses, plainTextOf, type MailAddress } from './mail-headers';
import type { LabMailboxes, MaildirMessage } from './maildir';
import type { SinkRelay } from './sink-relay';

type RouteKind = 'user' | 'inbox' | 'messages' | 'sendMail';
/** `user`: `me`, or the id or user principal name of `/users/{user}`. */
type GraphRoute = { kind: RouteKind; user: string };

const ROUTES: { method: string; pattern: RegExp; kind: RouteKind }[] = [
  { method: 'GET', pattern: /^\/v1\.0\/(me|users\/[^/]+)$/i, kind: 'user' },
  { method: 'GET', pattern: /^\/v1\.0\/(me|users\/[^/]+)\/mailFolders\/inbox$/i, kind: 'inbox' },
  { method: 'GET', pattern: /^\/v1\.0\/(me|users\/[^/]+)\/mailFolders\/inbox\/messages$/i, kind: 'messages' },
  { method: 'POST', pattern: /^\/v1\.0\/(me|users\/[^/]+)\/sendMail$/i, kind: 'sendMail' },
];

const READ_OWN: GraphPermission[] = ['Mail.Read', 'Mail.ReadWrite', 'Mail.Read.Shared', 'Mail.ReadWrite.Shared'];
const READ_OTHERS: GraphPermission[] = ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'];
const SEND_OWN: GraphPermission[] = ['Mail.Send', 'Mail.Send.Shared'];
const SEND_OTHERS: GraphPermission[] = ['Mail.Send.Shared'];

const recipient = z.object({ emailAddress: z.object({ address: z.string().min(1), name: z.string().optional() }) });
const sendMailBody = z.object({
  message: z.object({
    subject: z.string().optional(),
    body: z.object({ contentType: z.string().optional(), content: z.string() }).optional(),
    toRecipients: z.array(recipient).default([]),
    ccRecipients: z.array(recipient).default([]),
    bccRecipients: z.array(recipient).default([]),
    from: recipient.optional(),
    internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  }),
  saveToSentItems: z.union([z.boolean(), z.string()]).optional(),
});

function routeOf(request: ApiRequest): GraphRoute | null {
  for (const { method, pattern, kind } of ROUTES) {
    const match = pattern.exec(request.url.pathname);
    if (!match || request.method !== method) continue;
    const segment = match[1] ?? 'me';
    return { kind, user: segment.toLowerCase() === 'me' ? 'me' : decodeURIComponent(segment.slice('users/'.length)) };
  }
  return null;
}

/** The Graph permissions a token's scopes grant, short names whether or not the scope named the resource. */
function graphPermissionsOf(scopes: string[]): Set<GraphPermission> {
  const names = scopes.map((scope) => (scope.startsWith(GRAPH_RESOURCE) ? scope.slice(GRAPH_RESOURCE.length) : scope));
  return new Set(GRAPH_PERMISSIONS.filter((permission) => names.includes(permission)));
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function emailAddressOf(address: MailAddress): { emailAddress: { name: string; address: string } } {
  return { emailAddress: { name: address.name || address.address, address: address.address } };
}

function graphMessageOf(message: MaildirMessage): GraphMessage {
  const { headers } = message;
  const [from] = parseAddresses(headerValue(headers, 'from'));
  const sent = Date.parse(headerValue(headers, 'date') ?? '');
  return {
    id: message.id,
    receivedDateTime: isoSeconds(message.receivedAt),
    sentDateTime: isoSeconds(Number.isNaN(sent) ? message.receivedAt : new Date(sent)),
    subject: headerValue(headers, 'subject') ?? '',
    bodyPreview: plainTextOf(message.raw).replace(/\s+/g, ' ').trim().slice(0, 255),
    internetMessageId: headerValue(headers, 'message-id'),
    isRead: !message.unread,
    from: from ? emailAddressOf(from) : null,
    toRecipients: parseAddresses(headerValue(headers, 'to')).map(emailAddressOf),
  };
}

/** A stable id for a mailbox's Inbox folder; Graph's are opaque too. */
function inboxIdOf(email: string): string {
  return `AAMkAD${createHash('sha256').update(`inbox:${email}`).digest('base64url').slice(0, 40)}AAA=`;
}

export type GraphServiceOptions = {
  accounts: LabAccounts;
  mailboxes: LabMailboxes;
  introspect: IntrospectToken;
  faults: MailApiFaults<GraphFault>;
  delegations: MailboxDelegations;
  relay: SinkRelay;
  /** The Microsoft persona's, named in the challenge of a refused token. */
  authorizationEndpoint: string;
};

type Caller = { account: LabAccount; subject: string; permissions: Set<GraphPermission> };
type RouteContext = { route: GraphRoute; request: ApiRequest; caller: Caller; mailbox: LabAccount; rights: MailboxRights; ids: GraphRequestIds };

export class GraphService {
  constructor(private readonly options: GraphServiceOptions) {}

  async handle(request: ApiRequest): Promise<ApiAnswer> {
    const requestId = randomUUID();
    const clientRequestIdHeader = request.headers['client-request-id'];
    const ids = { requestId, clientRequestId: typeof clientRequestIdHeader === 'string' ? clientRequestIdHeader : requestId };
    const namedAccounts = new Set<string>();
    const answer = await this.answer({ request, ids, namedAccounts });
    this.options.faults.count({ accounts: [...namedAccounts], status: answer.status });
    return { ...answer, headers: { 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId, ...answer.headers } };
  }

  private async answer(options: { request: ApiRequest; ids: GraphRequestIds; namedAccounts: Set<string> }): Promise<ApiAnswer> {
    const { request, ids, namedAccounts } = options;
    const { faults, authorizationEndpoint } = this.options;
    const route = routeOf(request);
    if (!route) {
      const segment = request.url.pathname.split('/').filter(Boolean).at(-1) ?? '';
      return graphBadRequest({ message: `Resource not found for the segment '${segment}'.`, ids });
    }
    if (route.user !== 'me' && route.user.includes('@')) namedAccounts.add(route.user.toLowerCase());
    const token = bearerTokenOf(request.headers);
    if (!token) return graphTokenRefusal({ message: GRAPH_WORDS.emptyToken, ids, authorizationEndpoint });
    const identity = await this.options.introspect(token);
    const account = identity ? this.options.accounts.find(identity.email) : undefined;
    if (!identity || !account) return graphTokenRefusal({ message: GRAPH_WORDS.invalidToken, ids, authorizationEndpoint });
    namedAccounts.add(account.email);
    const permissions = graphPermissionsOf(identity.scopes);
    // A token for Exchange Online's IMAP or SMTP is for another resource: Graph refuses it whole.
    if (permissions.size === 0) return graphTokenRefusal({ message: GRAPH_WORDS.invalidAudience, ids, authorizationEndpoint });

    const mailbox = route.user === 'me' ? account : this.findUser(route.user);
    if (mailbox) namedAccounts.add(mailbox.email);
    const accounts = [...namedAccounts];
    const fault = faults.faultOf({ accounts, clientId: identity.clientId });
    if (fault) return graphFaultAnswer({ fault, ids, authorizationEndpoint });
    const retryAfterSeconds = faults.takeThrottle(accounts);
    if (retryAfterSeconds !== null) return graphThrottled({ retryAfterSeconds, ids });
    if (!mailbox) {
      return route.kind === 'user'
        ? graphError({ status: 404, code: 'Request_ResourceNotFound', message: `Resource '${route.user}' does not exist or one of its queried reference-property objects are not present.`, ids })
        : graphError({ status: 404, code: 'ErrorInvalidUser', message: `The requested user '${route.user}' is invalid.`, ids });
    }
    const rights =
      mailbox.email === account.email ? { fullAccess: true, sendAs: true } : this.options.delegations.rightsOf({ mailbox: mailbox.email, delegate: account.email });
    const context: RouteContext = { route, request, caller: { account, subject: identity.subject, permissions }, mailbox, rights, ids };
    switch (route.kind) {
      case 'user':
        return this.user(context);
      case 'inbox':
        return this.inbox(context);
      case 'messages':
        return this.messages(context);
      case 'sendMail':
        return this.sendMail(context);
    }
  }

  /** A Microsoft account of the lab by user principal name (its address) or id (its `oid`). */
  private findUser(idOrUpn: string): LabAccount | undefined {
    const { accounts } = this.options;
    const account = accounts.find(idOrUpn) ?? accounts.findBySubject({ persona: 'microsoft', subject: idOrUpn });
    return account?.provider === 'microsoft' ? account : undefined;
  }

  private user({ caller, mailbox, rights, request, ids }: RouteContext): ApiAnswer {
    const mayReadProfiles = caller.permissions.has('User.Read') || [...caller.permissions].some((permission) => permission.startsWith('Mail.'));
    if (!mayReadProfiles || !(rights.fullAccess || rights.sendAs)) return graphAccessDenied(ids);
    const { accounts } = this.options;
    return {
      status: 200,
      body: {
        '@odata.context': `https://${request.headers.host ?? ''}/v1.0/$metadata#users/$entity`,
        id: mailbox.email === caller.account.email ? caller.subject : accounts.subjectOf({ persona: 'microsoft', email: mailbox.email }),
        displayName: mailbox.name,
        mail: mailbox.email,
        userPrincipalName: mailbox.email,
      },
    };
  }

  private mayRead({ caller, mailbox, rights }: RouteContext): boolean {
    const own = mailbox.email === caller.account.email;
    const readPermissions = own ? READ_OWN : READ_OTHERS;
    return rights.fullAccess && readPermissions.some((permission) => caller.permissions.has(permission));
  }

  private async inbox(context: RouteContext): Promise<ApiAnswer> {
    const { mailbox, request, ids } = context;
    if (!this.mayRead(context)) return graphAccessDenied(ids);
    const messages = await this.options.mailboxes.readInbox(mailbox.email);
    return {
      status: 200,
      body: {
        '@odata.context': `https://${request.headers.host ?? ''}/v1.0/$metadata#users('${mailbox.email}')/mailFolders/$entity`,
        id: inboxIdOf(mailbox.email),
        displayName: 'Inbox',
        parentFolderId: inboxIdOf(`${mailbox.email}/root`),
        childFolderCount: 0,
        unreadItemCount: messages.filter((message) => message.unread).length,
        totalItemCount: messages.length,
        isHidden: false,
      },
    };
  }

  private async messages(context: RouteContext): Promise<ApiAnswer> {
    const { mailbox, request, ids } = context;
    if (!this.mayRead(context)) return graphAccessDenied(ids);
    const query = parseGraphMessageQuery(request.url.searchParams);
    if ('error' in query) return graphBadRequest({ message: query.error, ids });
    const messages = (await this.options.mailboxes.readInbox(mailbox.email)).map(graphMessageOf).filter(query.matches);
    if (!query.newestFirst) messages.reverse();
    return {
      status: 200,
      body: {
        '@odata.context': `https://${request.headers.host ?? ''}/v1.0/$metadata#users('${mailbox.email}')/mailFolders('inbox')/messages`,
        value: messages.slice(0, query.top).map((message) => selectProperties({ message, select: query.select })),
      },
    };
  }

  private async sendMail(context: RouteContext): Promise<ApiAnswer> {
    const { caller, mailbox, request, ids } = context;
    const parsed = (() => {
      try {
        return sendMailBody.safeParse(JSON.parse(request.body));
      } catch {
        return null;
      }
    })();
    if (!parsed?.success) return graphError({ status: 400, code: 'RequestBodyRead', message: GRAPH_WORDS.unreadablePayload, ids });
    const { message } = parsed.data;
    const own = mailbox.email === caller.account.email;
    if (!(own ? SEND_OWN : SEND_OTHERS).some((permission) => caller.permissions.has(permission))) return graphAccessDenied(ids);
    const sendingAddress = (message.from?.emailAddress.address ?? mailbox.email).toLowerCase();
    const sender = this.options.accounts.find(sendingAddress);
    const maySendAs =
      sendingAddress === caller.account.email ||
      (sender !== undefined && this.options.delegations.rightsOf({ mailbox: sendingAddress, delegate: caller.account.email }).sendAs);
    if (!sender || !maySendAs) return graphError({ status: 403, code: 'ErrorSendAsDenied', message: GRAPH_WORDS.sendAsDenied, ids });

    const addresses = (list: z.infer<typeof recipient>[]) => list.map(({ emailAddress }) => ({ name: emailAddress.name ?? '', address: emailAddress.address }));
    const [to, cc, bcc] = [message.toRecipients, message.ccRecipients, message.bccRecipients].map(addresses) as [MailAddress[], MailAddress[], MailAddress[]];
    const recipients = [...to, ...cc, ...bcc].map(({ address }) => address);
    if (recipients.length === 0) return graphError({ status: 400, code: 'ErrorInvalidRecipients', message: GRAPH_WORDS.noRecipients, ids });
    const isHtml = message.body?.contentType?.toLowerCase() === 'html';
    const raw = await new MailComposer({
      from: { name: sender.name, address: sender.email },
      to,
      cc,
      bcc,
      subject: message.subject ?? '',
      ...(isHtml ? { html: message.body?.content ?? '' } : { text: message.body?.content ?? '' }),
      headers: Object.fromEntries((message.internetMessageHeaders ?? []).map(({ name, value }) => [name, value])),
    })
      .compile()
      .build();
    await this.options.relay.relay({ envelopeFrom: sender.email, recipients, raw });
    return { status: 202 };
  }
}
