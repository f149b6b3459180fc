import { z } from 'zod';
import { idParams } from '@/lib/validations/common';
import {
  bulkMailboxesSchema,
  createMailboxSchema,
  importMailboxesSchema,
  listMailboxesQuery,
  mailboxResponse,
  moveMailboxesSchema,
  updateMailboxSchema,
} from '@/lib/validations/mailboxes';
import { ALL_ROLES, page, type Endpoint } from '../endpoint';

const importRow = z.object({
  line: z.number(),
  address: z.string(),
  ownerEmail: z.string(),
  profile: z.string().nullable(),
  outcome: z.enum(['created', 'skipped', 'refused']),
  reason: z.string().nullable(),
});

export const mailboxEndpoints = {
  listMailboxes: {
    method: 'GET',
    path: '/api/v1/mailboxes',
    summary: 'List mailboxes in address order; owners see only their own. `q` matches the start of the address or of the owner’s email',
    roles: ALL_ROLES,
    query: listMailboxesQuery,
    response: page(mailboxResponse),
  },
  createMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes',
    summary: 'Attach a mailbox to a profile (the default profile unless one is given); 409 PROFILE_FULL at the profile’s cap',
    roles: ['admin'],
    body: createMailboxSchema,
    response: mailboxResponse,
    successStatus: 201,
  },
  getMailbox: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}',
    summary: 'One mailbox with its statuses and next step; another owner’s mailbox is not found',
    roles: ALL_ROLES,
    params: idParams,
    response: mailboxResponse,
  },
  updateMailbox: {
    method: 'PATCH',
    path: '/api/v1/mailboxes/{id}',
    summary: 'Change the address (back to pending approval), owner, profile (cap applies; needs a reconnect) or sync options',
    roles: ['admin'],
    params: idParams,
    body: updateMailboxSchema,
    response: mailboxResponse,
  },
  deleteMailbox: {
    method: 'DELETE',
    path: '/api/v1/mailboxes/{id}',
    summary: 'Delete a mailbox and its tokens',
    roles: ['admin'],
    params: idParams,
    successStatus: 204,
  },
  approveMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/approve',
    summary: 'Approve the mailbox’s email address',
    roles: ['admin'],
    params: idParams,
    response: mailboxResponse,
  },
  rejectMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/reject',
    summary: 'Reject the mailbox’s email address; an active mailbox stops',
    roles: ['admin'],
    params: idParams,
    response: mailboxResponse,
  },
  approveMailboxes: {
    method: 'POST',
    path: '/api/v1/mailboxes/approve',
    summary: 'Approve many addresses; those already approved are counted as unchanged',
    roles: ['admin'],
    body: bulkMailboxesSchema,
    response: z.object({ changed: z.number(), unchanged: z.number() }),
  },
  rejectMailboxes: {
    method: 'POST',
    path: '/api/v1/mailboxes/reject',
    summary: 'Reject many addresses; those already rejected are counted as unchanged',
    roles: ['admin'],
    body: bulkMailboxesSchema,
    response: z.object({ changed: z.number(), unchanged: z.number() }),
  },
  moveMailboxes: {
    method: 'POST',
    path: '/api/v1/mailboxes/move',
    summary: 'Move mailboxes to another profile, all or none, within its cap; connected ones then need a reconnect',
    roles: ['admin'],
    body: moveMailboxesSchema,
    response: z.object({ moved: z.number(), needReconnect: z.number() }),
  },
  importMailboxes: {
    method: 'POST',
    path: '/api/v1/mailboxes/import',
    summary: 'Import mailboxes from CSV (address, owner email, optional profile); `dryRun` previews. A malformed file changes nothing',
    roles: ['admin'],
    body: importMailboxesSchema,
    maxBodyBytes: 6 * 1024 * 1024,
    response: z.object({
      dryRun: z.boolean(),
      rows: z.array(importRow),
      summary: z.object({ created: z.number(), skipped: z.number(), refused: z.number() }),
    }),
  },
} as const satisfies Record<string, Endpoint>;
