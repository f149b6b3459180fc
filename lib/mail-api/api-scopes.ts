import type { ApiProtocol } from '@/lib/providers/provider';

/** What a call through a mail API needs the grant to allow: who the account is, reading its inbox, sending. */
export type ApiRight = 'account' | 'read' | 'send';

const GRAPH_RESOURCE_PREFIX = 'https://graph.microsoft.com/';
const GMAIL = 'https://www.googleapis.com/auth/gmail';
const MAIL_GOOGLE = 'https://mail.google.com/';

/**
 * The scopes that allow each right, the one a profile asks for by default first (the presets'):
 * Graph's by their short names, which Microsoft also grants with its resource in front.
 */
const RIGHT_SCOPES: Record<ApiProtocol, Record<ApiRight, readonly string[]>> = {
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

const comparable = (scope: string) => {
  const lower = scope.trim().toLowerCase();
  return lower.startsWith(GRAPH_RESOURCE_PREFIX) ? lower.slice(GRAPH_RESOURCE_PREFIX.length) : lower;
};

/** Whether the granted scopes allow the right. */
export function grantsApiRight({ protocol, granted, right }: { protocol: ApiProtocol; granted: readonly string[]; right: ApiRight }): boolean {
  const have = new Set(granted.map(comparable));
  return RIGHT_SCOPES[protocol][right].some((scope) => have.has(comparable(scope)));
}

/** The scope a hint asks to add for the right: the one the presets ask for. */
export function scopeForApiRight({ protocol, right }: { protocol: ApiProtocol; right: ApiRight }): string {
  return RIGHT_SCOPES[protocol][right][0]!;
}
