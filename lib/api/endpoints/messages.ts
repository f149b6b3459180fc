import { z } from 'zod';
import { idParams } from '@/lib/validations/common';
import { MAX_REQUEST_BYTES, outboxMessageParams, outgoingMessageInput } from '@/lib/validations/outgoing-message';
import type { Endpoint } from '../endpoint';

export const outboxMessageStatus = z.object({
  messageId: z.string(),
  status: z.enum(['queued', 'sending', 'sent', 'failed']),
  attempts: z.number(),
  serverResponse: z.string().nullable(),
  messageIdHeader: z.string(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

export const messageEndpoints = {
  sendMessage: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/messages',
    summary:
      'Queue a message to send through an active mailbox, from its address, by its profile’s outgoing protocol; answers 202 with its id. ' +
      'An `Idempotency-Key` header makes the same request within 24 hours answer the same message instead of sending again. ' +
      'Temporary refusals are retried with backoff; a mailbox that stops being active keeps its messages queued until it is active again or they expire (the profile’s setting, 24 hours by default). ' +
      'Addresses are `"name@example.org"` or `{"address", "name"}`; `headers` takes In-Reply-To, References, List-*, Auto-Submitted, Precedence, Importance, Priority, Keywords, Comments and X- headers',
    // A service reaches the mailboxes of its profiles only, an owner their own (lib/mailboxes/mailboxes.ts mailboxScope).
    roles: ['service', 'admin', 'owner'],
    params: idParams,
    body: outgoingMessageInput,
    response: z.object({ messageId: z.string(), status: z.literal('queued') }),
    successStatus: 202,
    maxBodyBytes: MAX_REQUEST_BYTES,
  },
  getOutboxMessage: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/messages/outbox/{messageId}',
    summary:
      'Where a message sent through the mailbox stands: queued (with the last temporary failure, if any), sending, sent (with the server’s answer and the Message-ID) or failed (the class and hint of the tester’s failures, or delivery_unknown, mailbox_not_active)',
    roles: ['service', 'admin', 'support', 'owner'],
    params: outboxMessageParams,
    response: outboxMessageStatus,
  },
} as const satisfies Record<string, Endpoint>;
