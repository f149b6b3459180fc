import { z } from 'zod';
import { id, idParams } from '@/lib/validations/common';
import { mailboxResponse } from '@/lib/validations/mailboxes';
import type { Endpoint } from '../endpoint';

export const credentialsSchema = z.object({
  password: z
    .string({ error: 'problems.api.fields.enterPassword' })
    .min(1, { error: 'problems.api.fields.enterPassword' })
    .max(500, { error: 'problems.api.fields.passwordTooLong' }),
});

const connectError = z.object({ code: z.string(), message: z.string(), hint: z.string() });

export const connectionEndpoints = {
  connectMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/connect',
    summary:
      'Start connecting: `authorizationUrl` to open in the owner’s browser (code flow), or the code to type at the provider (device flow, which the server then polls itself); follow either with `authorizationId`',
    roles: ['owner', 'admin'],
    params: idParams,
    response: z.union([
      z.object({ authorizationId: z.string(), authorizationUrl: z.string() }),
      z.object({ authorizationId: z.string(), userCode: z.string(), verificationUri: z.string(), expiresAt: z.string(), interval: z.number() }),
    ]),
  },
  getConnectProgress: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/connect/{authorizationId}',
    summary: 'Where a started connect stands: pending, connected (with `connectedAs`), denied, expired or failed (with `error`)',
    roles: ['owner', 'admin'],
    params: z.object({ id, authorizationId: id }),
    response: z.object({
      state: z.enum(['pending', 'connected', 'denied', 'expired', 'failed']),
      connectedAs: z.string().nullable(),
      error: connectError.nullable(),
    }),
  },
  setMailboxCredentials: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/credentials',
    summary: 'Store the password or app password of a password-profile mailbox (write-only, encrypted)',
    roles: ['owner', 'admin'],
    params: idParams,
    body: credentialsSchema,
    response: mailboxResponse,
  },
  disconnectMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/disconnect',
    summary: 'Revoke at the provider where possible and forget the tokens or password',
    roles: ['owner', 'admin'],
    params: idParams,
    response: mailboxResponse.extend({ revokedAtProvider: z.boolean() }),
  },
} as const satisfies Record<string, Endpoint>;
