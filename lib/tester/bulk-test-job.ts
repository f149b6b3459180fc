import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { bulkTestMailboxJob } from './bulk-test-mailbox-job';
import { bulkTestMailboxes } from './bulk-test-mailboxes';

/**
 * The singleton key of every bulk test: one runs at a time in the whole deployment, the others
 * wait in the queue. Its mailboxes are tested by every instance, within each profile's budget.
 */
export const BULK_TEST_KEY = 'tester.bulk-test';

export const bulkTestPayload = z.object({
  target: z.union([z.object({ mailboxIds: z.array(z.uuid()).min(1).max(1000) }), z.object({ profileId: z.uuid() })]),
  /** Who asked, recorded as the actor of every test; null for the system. */
  startedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
});

/**
 * Tests and activates many mailboxes (see bulkTestMailboxes). Resumable: when the instance following
 * it stops, or it fails, another attempt follows the same mailboxes' tests, sending none twice. It
 * may run for hours on thousands of mailboxes; pg-boss counting it failed sooner would let the next
 * bulk test start beside it.
 */
export const bulkTestJob = defineJob({
  name: 'tester.bulk-test',
  payload: bulkTestPayload,
  handle: async ({ target, startedBy }, { jobId, reportProgress }) => ({
    results: await bulkTestMailboxes({ bulkTestId: jobId, target, startedBy, reportProgress }),
  }),
  options: { singleton: 'running', resumable: true, retryLimit: 3, expireInSeconds: 6 * 60 * 60 },
});

export const testerJobs = [bulkTestJob, bulkTestMailboxJob];
