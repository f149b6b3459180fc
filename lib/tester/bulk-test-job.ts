import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { bulkTestMailboxes } from './bulk-test-mailboxes';
import { getTrustedCertificates } from './trusted-context';

/**
 * The singleton key of every bulk test. A profile's connection budget lives in the process that
 * runs the job, so two bulk tests running at once (two clicks, two portal instances) could each
 * use the whole of it: one runs at a time in the whole deployment, the others wait in the queue.
 */
export const BULK_TEST_KEY = 'tester.bulk-test';

export const bulkTestPayload = z.object({
  target: z.union([z.object({ mailboxIds: z.array(z.uuid()).min(1).max(1000) }), z.object({ profileId: z.uuid() })]),
  /** Who asked, recorded as the actor of every test; null for the system. */
  startedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
});

/**
 * Tests and activates many mailboxes (see bulkTestMailboxes). Not retried: a person starts it again
 * if they want. It may run for hours on thousands of mailboxes; pg-boss counting it failed sooner
 * would let the next bulk test start beside it.
 */
export const bulkTestJob = defineJob({
  name: 'tester.bulk-test',
  payload: bulkTestPayload,
  handle: async ({ target, startedBy }, { reportProgress }) => ({
    results: await bulkTestMailboxes({ target, startedBy, trustedCertificates: await getTrustedCertificates(), reportProgress }),
  }),
  options: { singleton: 'running', retryLimit: 0, expireInSeconds: 6 * 60 * 60 },
});

export const testerJobs = [bulkTestJob];
