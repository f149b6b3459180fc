import { z } from 'zod';
import { transportSecurity } from '@/db/schema';
import { INCOMING_PROTOCOLS, OUTGOING_PROTOCOLS } from '@/lib/providers/provider';
import { idParams } from '@/lib/validations/common';
import type { Endpoint } from '../endpoint';

const protocolEndpoint = <P extends readonly [string, ...string[]]>(protocols: P) =>
  z.object({
    protocol: z.enum(protocols),
    /** Null for Microsoft Graph and the Gmail API, which are reached at `apiRoot`. */
    host: z.string().nullable(),
    port: z.number().nullable(),
    security: z.enum(transportSecurity.enumValues).nullable(),
    apiRoot: z.string().nullable(),
  });

export const serviceAccessTokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.string(),
  scopes: z.array(z.string()),
  /** The user name to sign in with (XOAUTH2's `user=`): the mailbox's address. */
  user: z.string(),
  /** Whose token it is: the mailbox's account, or the delegate's for a shared mailbox. */
  account: z.string(),
  /** The audience the token is for (Microsoft: Graph or outlook.office.com); null where one token serves every protocol. */
  resource: z.string().nullable(),
  incoming: protocolEndpoint(INCOMING_PROTOCOLS),
  outgoing: protocolEndpoint(OUTGOING_PROTOCOLS),
});

export const accessTokenEndpoints = {
  fetchAccessToken: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/access-token',
    summary:
      'Service accounts only: a current access token of an active mailbox, with its expiry, scopes, the user name to sign in with and the protocol endpoints, for a business system that opens its own IMAP, POP, SMTP or API session. Never the refresh token: ask again before `expiresAt`. 403 unless the mailbox’s profile lets business systems fetch access tokens (`allowAccessTokens`); 404 outside the service’s profiles; 409 for a mailbox that is not active or signs in with a password; 502 when the provider refuses. Every call is audited',
    roles: ['service'],
    params: idParams,
    response: serviceAccessTokenResponse,
  },
} as const satisfies Record<string, Endpoint>;
