import { z } from 'zod';
import { idParams } from '@/lib/validations/common';
import { mailboxResponse } from '@/lib/validations/mailboxes';
import type { Endpoint } from '../endpoint';

export const credentialsSchema = z.object({
  password: z
    .string({ error: 'Enter the password or app password.' })
    .min(1, { error: 'Enter the password or app password.' })
    .max(500, { error: 'Use at most 500 characters.' }),
});

export const connectionEndpoints = {
  connectMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/connect',
    summary:
      'Start connecting: `authorizationUrl` to open in the owner’s browser (code flow), or the code to type at the provider (device flow)',
    roles: ['owner', 'admin'],
    params: idParams,
    response: z.union([
      z.object({ authorizationUrl: z.string() }),
      z.object({ userCode: z.string(), verificationUri: z.string(), expiresAt: z.string(), interval: z.number() }),
    ]),
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
