import { z } from 'zod';
import { bulkTestTargetSchema } from '@/lib/tester/bulk-test-target';
import { FAILURE_CODES } from '@/lib/mailboxes/status';
import { idParams } from '@/lib/validations/common';
import type { Endpoint } from '../endpoint';

const mailboxResult = z.object({
  mailboxId: z.string(),
  address: z.string(),
  profileId: z.string(),
  ok: z.boolean(),
  activated: z.boolean(),
  failing: z.array(z.enum(FAILURE_CODES)),
  message: z.string().nullable(),
  hint: z.string().nullable().optional(),
  testId: z.string().nullable(),
});

export const bulkTestStatus = z.object({
  id: z.string(),
  state: z.enum(['created', 'retry', 'active', 'completed', 'cancelled', 'failed']),
  progress: z.object({ done: z.number(), total: z.number(), message: z.string().optional() }).nullable(),
  results: z.array(mailboxResult).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const bulkTestEndpoints = {
  startBulkTest: {
    method: 'POST',
    path: '/api/v1/mailboxes/bulk-test',
    summary:
      'Answers 202 with the id of a job that tests and activates the given mailboxes, or every connected mailbox of a profile, never opening more connections to a profile’s servers than its maximum. One bulk test runs at a time; others wait',
    roles: ['admin', 'support'],
    body: bulkTestTargetSchema,
    response: z.object({ jobId: z.string() }),
    successStatus: 202,
  },
  getBulkTest: {
    method: 'GET',
    path: '/api/v1/mailboxes/bulk-test/{id}',
    summary: 'A bulk test’s state (`created` while it waits for another), progress, and once completed one result per mailbox',
    roles: ['admin', 'support'],
    params: idParams,
    response: bulkTestStatus,
  },
} as const satisfies Record<string, Endpoint>;
