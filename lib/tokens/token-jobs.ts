import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { enqueueJobs } from '@/lib/jobs/enqueue-jobs';
import { checkGrantInTurn, planGrantChecks } from './check-grants';

/**
 * Refreshes or proves one mailbox's grant, in turn with its profile's other checks; one at a time
 * per mailbox, temporary failures retried.
 */
export const checkGrantJob = defineJob({
  name: 'tokens.check-grant',
  payload: z.object({ mailboxId: z.uuid(), prove: z.boolean() }),
  handle: (payload, context) => checkGrantInTurn(payload, context),
  options: { singleton: 'queued', retryLimit: 5, retryDelaySeconds: 30, retryBackoff: true, concurrency: 10, expireInSeconds: 120 },
});

/**
 * Every five minutes, whichever portal instance notices first sends the checks due, each at its
 * moment of the five minutes to come (see planGrantChecks); a check still waiting from the last run
 * is not sent twice.
 */
export const findGrantsToCheckJob = defineJob({
  name: 'tokens.find-grants-to-check',
  payload: z.object({}),
  handle: () =>
    planGrantChecks({
      send: (checks) =>
        enqueueJobs(
          checkGrantJob,
          checks.map(({ mailboxId, prove, startAfter }) => ({ payload: { mailboxId, prove }, singletonKey: mailboxId, startAfter })),
        ),
    }),
  options: { singleton: 'queued', retryLimit: 1 },
  schedule: { cron: '*/5 * * * *', payload: {} },
});

export const tokenJobs = [findGrantsToCheckJob, checkGrantJob];
