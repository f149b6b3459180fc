// A Gmail API stand-in for the calls a mail connection makes: the profile, the INBOX label, message
// search and metadata, and messages.send, for the lab's Google accounts.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MailApiFaults } from './api-faults';
import type { ApiAnswer, ApiRequest } from './api-server';
import { bearerTokenOf, type IntrospectToken } from './bearer-tokens';
import {
  gmailDelegationDenied,
  gmailFaultAnswer,
  gmailInsufficientScopes,
  gmailInvalidArgument,
  gmailInvalidCredentials,
  gmailMissingCredentials,
  gmailNotFound,
  gmailThrottled,
} from './gmail-errors';
import { gmailQueryMatcher, type GmailSearchable } from './gmail-query';
import type { LabAccounts } from './lab-accounts';
import { GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE, GOOGLE_MAIL_SCOPE } from './lab-config';
import type { GmailFault, LabAccount } from './lab-info';
import { headerValue, parseAddresses, parseHeaders, plainTextOf, rewriteHeaders, type MailHeader } from './mail-headers';
import type { LabMailboxes, MaildirMessage } from './maildir';
import type { SinkRelay } from './sink-relay';

type RouteKind = 'profile' | 'label' | 'list' | 'message' | 'send';
type GmailRoute = { kind: RouteKind; userId: string; resourceId: string | null };

const READ_SCOPES = [GOOGLE_MAIL_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE];
const SEND_SCOPES = [GOOGLE_MAIL_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_SEND_SCOPE];
const SERVICE = 'caribou.api.proto.MailboxService';

const ROUTES: { method: string; pattern: RegExp; kind: RouteKind; rpc: string; scopes: string[] }[] = [
  { method: 'GET', pattern: /^\/gmail\/v1\/users\/([^/]+)\/profile$/, kind: 'profile', rpc: 'GetProfile', scopes: READ_SCOPES },
  { method: 'GET', pattern: /^\/gmail\/v1\/users\/([^/]+)\/labels\/([^/]+)$/, kind: 'label', rpc: 'GetLabel', scopes: READ_SCOPES },
  { method: 'GET', pattern: /^\/gmail\/v1\/users\/([^/]+)\/messages$/, kind: 'list', rpc: 'ListMessages', scopes: READ_SCOPES },
  { method: 'POST', pattern: /^\/gmail\/v1\/users\/([^/]+)\/messages\/send$/, kind: 'send', rpc: 'SendMessage', scopes: SEND_SCOPES },
  { method: 'GET', pattern: /^\/gmail\/v1\/users\/([^/]+)\/messages\/([^/]+)$/, kind: 'message', rpc: 'GetMessage', scopes: READ_SCOPES },
];

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS = 500;
const SNIPPET_CHARACTERS = 200;
const sendBody = z.object({ raw: z.string().min(1), threadId: z.string().optional() });

function routeOf(request: ApiRequest): (GmailRoute & { rpc: string; scopes: string[] }) | null {
  for (const { method, pattern, kind, rpc, scopes } of ROUTES) {
    const match = pattern.exec(request.url.pathname);
    if (!match || request.method !== method) continue;
    const resourceId = match[2] === undefined ? null : decodeURIComponent(match[2]);
    return { kind, userId: decodeURIComponent(match[1] ?? ''), resourceId, rpc: `${SERVICE}.${rpc}`, scopes };
  }
  return null;
}

function labelIdsOf(message: MaildirMessage): string[] {
  return ['INBOX', ...(message.unread ? ['UNREAD'] : [])];
}

function searchableOf(message: MaildirMessage): GmailSearchable {
  const { headers } = message;
  return {
    subject: headerValue(headers, 'subject') ?? '',
    from: headerValue(headers, 'from') ?? '',
    to: headerValue(headers, 'to') ?? '',
    messageId: headerValue(headers, 'message-id') ?? '',
    text: plainTextOf(message.raw),
    unread: message.unread,
  };
}

/** A history id that grows as the mailbox does; Gmail's are opaque increasing numbers. */
function historyIdOf(messages: MaildirMessage[]): string {
  const newest = messages[0]?.receivedAt.getTime() ?? 0;
  return String(1_000 + Math.floor(newest / 1000) + messages.length);
}

/** `format`: minimal, metadata (headers, or those of `metadataHeaders`), full (the same here) or raw. */
function gmailMessageOf(options: { message: MaildirMessage; search: URLSearchParams }): Record<string, unknown> {
  const { message, search } = options;
  const format = search.get('format') ?? 'full';
  const minimal = {
    id: message.id,
    threadId: message.id,
    labelIds: labelIdsOf(message),
    snippet: plainTextOf(message.raw).replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARACTERS),
    sizeEstimate: Buffer.byteLength(message.raw),
    historyId: historyIdOf([message]),
    internalDate: String(message.receivedAt.getTime()),
  };
  if (format === 'minimal') return minimal;
  if (format === 'raw') return { ...minimal, raw: Buffer.from(message.raw).toString('base64url') };
  const wanted = new Set(search.getAll('metadataHeaders').map((name) => name.toLowerCase()));
  const headers = format === 'metadata' && wanted.size > 0 ? message.headers.filter(({ name }) => wanted.has(name.toLowerCase())) : message.headers;
  const mimeType = headerValue(message.headers, 'content-type')?.split(';')[0]?.trim() ?? 'text/plain';
  return { ...minimal, payload: { partId: '', mimeType, filename: '', headers } };
}

function quotedName(name: string): string {
  return /^[\w .'-]*$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
}

export type GmailApiServiceOptions = {
  accounts: LabAccounts;
  mailboxes: LabMailboxes;
  introspect: IntrospectToken;
  faults: MailApiFaults<GmailFault>;
  relay: SinkRelay;
};

type RouteContext = { route: GmailRoute; request: ApiRequest; account: LabAccount };

export class GmailApiService {
  constructor(private readonly options: GmailApiServiceOptions) {}

  async handle(request: ApiRequest): Promise<ApiAnswer> {
    const namedAccounts = new Set<string>();
    const answer = await this.answer({ request, namedAccounts });
    this.options.faults.count({ accounts: [...namedAccounts], status: answer.status });
    return answer;
  }

  private async answer(options: { request: ApiRequest; namedAccounts: Set<string> }): Promise<ApiAnswer> {
    const { request, namedAccounts } = options;
    const { faults } = this.options;
    const route = routeOf(request);
    if (!route) return gmailNotFound();
    if (route.userId !== 'me') namedAccounts.add(route.userId.toLowerCase());
    const token = bearerTokenOf(request.headers);
    if (!token) return gmailMissingCredentials();
    const identity = await this.options.introspect(token);
    const account = identity ? this.options.accounts.find(identity.email) : undefined;
    if (!identity || !account) return gmailInvalidCredentials();
    namedAccounts.add(account.email);

    const fault = faults.faultOf({ accounts: [account.email], clientId: identity.clientId });
    if (fault) return gmailFaultAnswer({ fault, clientId: identity.clientId });
    const retryAfterSeconds = faults.takeThrottle([account.email]);
    if (retryAfterSeconds !== null) return gmailThrottled(retryAfterSeconds);
    // The Gmail API reaches the token's own mailbox only: delegated Gmail is not offered over it.
    if (route.userId !== 'me' && route.userId.toLowerCase() !== account.email) return gmailDelegationDenied(route.userId);
    if (!route.scopes.some((scope) => identity.scopes.includes(scope))) {
      return gmailInsufficientScopes({ method: route.rpc, acceptedScopes: route.scopes });
    }
    const context: RouteContext = { route, request, account };
    switch (route.kind) {
      case 'profile':
        return this.profile(context);
      case 'label':
        return this.label(context);
      case 'list':
        return this.list(context);
      case 'message':
        return this.message(context);
      case 'send':
        return this.send(context);
    }
  }

  private async profile({ account }: RouteContext): Promise<ApiAnswer> {
    const messages = await this.options.mailboxes.readInbox(account.email);
    return {
      status: 200,
      body: { emailAddress: account.email, messagesTotal: messages.length, threadsTotal: messages.length, historyId: historyIdOf(messages) },
    };
  }

  private async label({ account, route }: RouteContext): Promise<ApiAnswer> {
    if (route.resourceId !== 'INBOX') return gmailNotFound();
    const messages = await this.options.mailboxes.readInbox(account.email);
    const unread = messages.filter((message) => message.unread).length;
    return {
      status: 200,
      body: {
        id: 'INBOX',
        name: 'INBOX',
        messageListVisibility: 'hide',
        labelListVisibility: 'labelShow',
        type: 'system',
        messagesTotal: messages.length,
        messagesUnread: unread,
        threadsTotal: messages.length,
        threadsUnread: unread,
      },
    };
  }

  private async list({ account, request }: RouteContext): Promise<ApiAnswer> {
    const search = request.url.searchParams;
    const maxResults = Number(search.get('maxResults') ?? DEFAULT_MAX_RESULTS);
    if (!Number.isInteger(maxResults) || maxResults < 1) return gmailInvalidArgument(`Invalid value at 'max_results' (TYPE_UINT32), "${search.get('maxResults') ?? ''}"`);
    const labelIds = search.getAll('labelIds');
    const matchesQuery = gmailQueryMatcher(search.get('q'));
    const found = (await this.options.mailboxes.readInbox(account.email)).filter(
      (message) => labelIds.every((labelId) => labelIdsOf(message).includes(labelId)) && matchesQuery(searchableOf(message)),
    );
    // Gmail leaves `messages` out altogether when nothing matches.
    if (found.length === 0) return { status: 200, body: { resultSizeEstimate: 0 } };
    const page = found.slice(0, Math.min(maxResults, MAX_RESULTS));
    return { status: 200, body: { messages: page.map(({ id }) => ({ id, threadId: id })), resultSizeEstimate: found.length } };
  }

  private async message({ account, route, request }: RouteContext): Promise<ApiAnswer> {
    const message = (await this.options.mailboxes.readInbox(account.email)).find(({ id }) => id === route.resourceId);
    if (!message) return gmailNotFound();
    return { status: 200, body: gmailMessageOf({ message, search: request.url.searchParams }) };
  }

  /**
   * As Gmail does: the account is the sender (a From of another address is replaced), Bcc leaves the
   * message, a missing Message-ID or Date is added; the recipients are those of To, Cc and Bcc.
   */
  private async send({ account, request }: RouteContext): Promise<ApiAnswer> {
    const parsed = (() => {
      try {
        return sendBody.safeParse(JSON.parse(request.body));
      } catch {
        return null;
      }
    })();
    if (!parsed?.success) return gmailInvalidArgument("'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    const raw = Buffer.from(parsed.data.raw, 'base64url').toString('utf8');
    const headers = parseHeaders(raw);
    const addressField = (name: string) => headers.filter((header) => header.name.toLowerCase() === name).map(({ value }) => value).join(', ');
    const recipients = ['to', 'cc', 'bcc'].flatMap((name) => parseAddresses(addressField(name))).map(({ address }) => address);
    if (recipients.length === 0) return gmailInvalidArgument('Recipient address required');

    const [from] = parseAddresses(headerValue(headers, 'from'));
    const fromOther = from?.address.toLowerCase() !== account.email;
    const added: MailHeader[] = [
      ...(fromOther ? [{ name: 'From', value: `${quotedName(account.name)} <${account.email}>` }] : []),
      ...(headerValue(headers, 'message-id') ? [] : [{ name: 'Message-ID', value: `<${randomBytes(12).toString('hex')}@mail.gmail.lab.test>` }]),
      ...(headerValue(headers, 'date') ? [] : [{ name: 'Date', value: new Date().toUTCString() }]),
    ];
    const message = rewriteHeaders({ raw, remove: ['bcc', ...(fromOther ? ['from'] : [])], add: added });
    await this.options.relay.relay({ envelopeFrom: account.email, recipients, raw: message });
    const id = randomBytes(8).toString('hex');
    return { status: 200, body: { id, threadId: parsed.data.threadId ?? id, labelIds: ['SENT'] } };
  }
}
