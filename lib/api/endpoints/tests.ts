import { z } from 'zod';
import { id, idParams, listQuery } from '@/lib/validations/common';
import { FAILURE_CODES } from '@/lib/mailboxes/status';
import { ALL_ROLES, page, type Endpoint } from '../endpoint';

const step = z.object({ name: z.string(), ok: z.boolean(), durationMs: z.number(), detail: z.string(), at: z.string() });
const direction = z.object({
  status: z.enum(['not_run', 'running', 'success', 'failure']),
  steps: z.array(step),
  error: z.object({ code: z.enum(FAILURE_CODES), message: z.string(), hint: z.string() }).nullable(),
});

export const testResult = z.object({
  id: z.string(),
  ok: z.boolean().nullable(),
  activated: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  incoming: direction,
  outgoing: direction,
});

export const testMailboxBody = z.object({ sendTestMessage: z.boolean().default(false) });

export const testEndpoints = {
  testMailbox: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/test',
    summary:
      'Test incoming and outgoing at once and activate the mailbox when every enabled direction passes; waits for the result. A test already running is joined. `sendTestMessage` also sends a real message to the mailbox itself',
    roles: ALL_ROLES,
    params: idParams,
    body: testMailboxBody,
    response: testResult,
  },
  listMailboxTests: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/tests',
    summary: 'The mailbox’s last 50 connection tests, newest first, with their steps',
    roles: ALL_ROLES,
    params: idParams,
    query: listQuery,
    response: page(testResult),
  },
  getMailboxTest: {
    method: 'GET',
    path: '/api/v1/mailboxes/{id}/tests/{testId}',
    summary: 'One connection test with the steps recorded so far: `ok` is null while it runs, then its verdict. Follows a test while it runs',
    roles: ALL_ROLES,
    params: z.object({ id, testId: id }),
    response: testResult,
  },
} as const satisfies Record<string, Endpoint>;
