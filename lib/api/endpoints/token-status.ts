import { z } from 'zod';
import { PROVIDER_IDS } from '@/lib/providers';
import { INCOMING_PROTOCOLS, OUTGOING_PROTOCOLS } from '@/lib/providers/provider';
import { TOKEN_DUE, TOKEN_SORTS, TOKEN_STATES } from '@/lib/tokens/token-status';
import { id, idParams, listQuery, rowNumberCursor } from '@/lib/validations/common';
import { ALL_ROLES, page, type Endpoint } from '../endpoint';

const storedError = z.object({ code: z.string(), message: z.string(), hint: z.string(), at: z.string() });

export const tokenStatus = z.object({
  state: z.enum(TOKEN_STATES),
  account: z.string().nullable(),
  scopes: z.array(z.string()),
  missingScopes: z.array(z.string()),
  accessTokenExpiresAt: z.string().nullable(),
  lastRefreshAt: z.string().nullable(),
  refreshTokenObtainedAt: z.string().nullable(),
  consentExpiresAt: z.string().nullable(),
  lastError: storedError.nullable(),
  /** The profile's protocols, which the mailbox's access token serves. */
  protocols: z.object({ incoming: z.enum(INCOMING_PROTOCOLS), outgoing: z.enum(OUTGOING_PROTOCOLS) }),
  /**
   * The resource (audience) the access token is issued for where the provider issues one per resource:
   * Microsoft's `https://graph.microsoft.com` for Graph, `https://outlook.office.com` for IMAP, POP and
   * SMTP. Null where one token serves every protocol (Google), and for password sign-in.
   */
  resource: z.string().nullable(),
  /** When a business system (a service account) last fetched the access token, and which one (its name); null: never. */
  lastSystemUse: z.object({ at: z.string(), serviceId: z.string().nullable(), service: z.string().nullable() }).nullable(),
});

const auditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  mailboxId: z.string().nullable(),
  profileId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const auditQuery = listQuery.extend({
  mailboxId: id.optional(),
  profileId: id.optional(),
  cursor: rowNumberCursor.optional(),
});

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The token status list's filters, shared by its page, its CSV export and their links. */
export const tokenStatusFilters = z.object({
  state: z.preprocess(blankToUndefined, z.enum(TOKEN_STATES).optional()),
  profileId: z.preprocess(blankToUndefined, id.optional()),
  status: z.preprocess(blankToUndefined, z.enum(['inactive', 'active', 'failing', 'disabled']).optional()),
  approval: z.preprocess(blankToUndefined, z.enum(['pending', 'approved', 'rejected']).optional()),
  connection: z.preprocess(blankToUndefined, z.enum(['not_connected', 'connected', 'needs_reconnect']).optional()),
  due: z.preprocess(blankToUndefined, z.enum(TOKEN_DUE).optional()),
  q: z.preprocess(blankToUndefined, z.string().trim().toLowerCase().max(320).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(TOKEN_SORTS).default('address')),
});

const tokenStatusRow = tokenStatus.extend({
  mailboxId: z.string(),
  address: z.string(),
  ownerId: z.string(),
  ownerEmail: z.string(),
  profileId: z.string(),
  profileName: z.string(),
  serverType: z.enum(PROVIDER_IDS),
  approval: z.enum(['pending', 'approved', 'rejected']),
  connection: z.enum(['not_connected', 'connected', 'needs_reconnect']),
  status: z.enum(['inactive', 'active', 'failing', 'disabled']),
  failingSince: z.string().nullable(),
  consentedAt: z.string().nullable(),
  lastCheckedAt: z.string().nullable(),
  lastTest: z.object({ ok: z.boolean().nullable(), at: z.string() }).nullable(),
});

const alert = z.object({
  key: z.string(),
  tone: z.enum(['bad', 'warn']),
  title: z.string(),
  detail: z.string(),
  href: z.string().optional(),
  profileId: z.string().optional(),
});

const timelineEntry = z.object({
  at: z.string(),
  kind: z.enum(['connect', 'refresh', 'failure', 'test', 'approval', 'move', 'support', 'change']),
  title: z.string(),
  actor: z.string(),
  detail: z.string().nullable(),
  hint: z.string().optional(),
  testId: z.string().nullable(),
});

export const tokenStatusEndpoints = {
  listTokenStatuses: {
    method: 'GET',
    path: '/api/v1/token-status',
    summary: 'Every mailbox’s token status with its mailbox’s facts, filtered, searched and sorted like the Token status page, a page at a time',
    roles: ['admin', 'support'],
    query: tokenStatusFilters.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
    response: page(tokenStatusRow),
  },
  getTokenOverview: {
    method: 'GET',
    path: '/api/v1/token-status/overview',
    summary: 'The overview’s counts, each with the Token status page filter it links to',
    roles: ['admin', 'support'],
    response: z.object({
      figures: z.array(z.object({ key: z.string(), label: z.string(), value: z.number(), href: z.string() })),
    }),
  },
  listAlerts: {
    method: 'GET',
    path: '/api/v1/alerts',
    summary: 'The dashboard’s alerts: profile alerts once per profile, mailbox alerts counted with a link to them',
    roles: ['admin', 'support'],
    response: z.object({ data: z.array(alert) }),
  },
  listMailboxAlerts: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/alerts',
    summary: 'The alerts that concern one mailbox, worded for the caller: support and admins see every one, its owner what affects it',
    roles: ALL_ROLES,
    params: idParams,
    response: z.object({ data: z.array(alert) }),
  },
  getMailboxTimeline: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/timeline',
    summary: 'The mailbox’s story, newest first: audit events, tests (their steps at /tests), the consent and the last refresh attempts',
    roles: ['admin', 'support'],
    params: idParams,
    response: z.object({ data: z.array(timelineEntry) }),
  },
  getMailboxToken: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/token',
    summary: 'The mailbox’s token status: state, account, scopes and what is missing, expiries, last error with its hint, the protocols and resource the token is for. Never a token',
    roles: ALL_ROLES,
    params: idParams,
    response: tokenStatus,
  },
  checkMailboxToken: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/token/check',
    summary: '“Check now”: prove the grant with a refresh at the provider, audit it, and answer the token status. 409 when the mailbox is not connected, 502 when the provider cannot be reached',
    roles: ['admin', 'support'],
    params: idParams,
    response: tokenStatus,
  },
  listAuditEvents: {
    method: 'GET',
    path: '/api/v1/audit',
    summary: 'Audit events, newest first, optionally of one mailbox or one profile',
    roles: ['admin', 'support'],
    query: auditQuery,
    response: page(auditEvent),
  },
} as const satisfies Record<string, Endpoint>;
