import type { ApiProtocol } from '@/lib/providers/provider';

/** What a call through a mail API needs the grant to allow: who the account is, reading its inbox, sending. */
export type ApiRight = 'account' | 'read' | 'send';

const GRAPH_RESOURCE_PREFIX = 'https://graph.microsoft.com/';
const GMAIL = 'https://www.googleapis.com/auth/gmail';
const MAIL_GOOGLE = 'https://mail.google.com/';

type RightScopes = Record<ApiRight, readonly string[]>;

/**
 * The scopes that allow each right, the one a profile asks for by default first (the presets'):
 * Graph's by their short names, which Microsoft also grants with its resource in front.
 */
const RIGHT_SCOPES: Record<ApiProtocol, RightScopes> = {
  graph: {
    account: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All'],
    read: ['Mail.ReadWrite', 'Mail.Read', 'Mail.ReadWrite.Shared', 'Mail.Read.Shared'],
    send: ['Mail.Send', 'Mail.Send.Shared'],
  },
  gmail_api: {
    account: [`${GMAIL}.modify`, MAIL_GOOGLE, `${GMAIL}.readonly`, `${GMAIL}.compose`, `${GMAIL}.metadata`],
    read: [`${GMAIL}.modify`, MAIL_GOOGLE, `${GMAIL}.readonly`],
    send: [`${GMAIL}.send`, MAIL_GOOGLE, `${GMAIL}.modify`, `${GMAIL}.compose`],
  },
};

/** Graph reaches another user's mailbox (a shared one, through its delegate) only with the `.Shared` permissions. */
const GRAPH_SHARED_SCOPES: RightScopes = {
  account: RIGHT_SCOPES.graph.account,
  read: ['Mail.ReadWrite.Shared', 'Mail.Read.Shared'],
  send: ['Mail.Send.Shared'],
};

type RightQuery = { protocol: ApiProtocol; right: ApiRight; shared: boolean };

const scopesFor = ({ protocol, right, shared }: RightQuery) => (protocol === 'graph' && shared ? GRAPH_SHARED_SCOPES : RIGHT_SCOPES[protocol])[right];

const comparable = (scope: string) => {
  const lower = scope.trim().toLowerCase();
  return lower.startsWith(GRAPH_RESOURCE_PREFIX) ? lower.slice(GRAPH_RESOURCE_PREFIX.length) : lower;
};

/** Whether the granted scopes allow the right, on the account's own mailbox or on a shared one. */
export function grantsApiRight(query: RightQuery & { granted: readonly string[] }): boolean {
  const have = new Set(query.granted.map(comparable));
  return scopesFor(query).some((scope) => have.has(comparable(scope)));
}

/** The scope a hint asks to add for the right: the one the presets ask for. */
export function scopeForApiRight(query: RightQuery): string {
  return scopesFor(query)[0]!;
}
