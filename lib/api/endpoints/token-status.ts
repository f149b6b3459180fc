import { z } from 'zod';
import { TOKEN_DUE, TOKEN_SORTS, TOKEN_STATES } from '@/lib/tokens/token-status';
import { id, idParams, listQuery } from '@/lib/validations/common';
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
  cursor: z.string().regex(/^\d+$/, { error: 'cursor must be the nextCursor of a previous page.' }).optional(),
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

export const tokenStatusEndpoints = {
  getMailboxToken: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/token',
    summary: 'The mailbox’s token status: state, account, scopes and what is missing, expiries, last error with its hint. Never a token',
    roles: ALL_ROLES,
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
