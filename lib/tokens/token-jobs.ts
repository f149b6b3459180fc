import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { checkGrant, findGrantsToCheck } from './check-grants';

/** Refreshes or proves one mailbox's grant; one at a time per mailbox, temporary failures retried. */
export const checkGrantJob = defineJob({
  name: 'tokens.check-grant',
  payload: z.object({ mailboxId: z.uuid(), prove: z.boolean() }),
  handle: (payload) => checkGrant(payload),
  options: { singleton: 'queued', retryLimit: 5, retryDelaySeconds: 30, retryBackoff: true, concurrency: 4, expireInSeconds: 120 },
});

/** Every five minutes, whichever portal instance notices first sends the grants that need a check. */
export const findGrantsToCheckJob = defineJob({
  name: 'tokens.find-grants-to-check',
  payload: z.object({}),
  handle: async () => {
    const grants = await findGrantsToCheck();
    for (const grant of grants) await enqueueJob(checkGrantJob, grant, { singletonKey: grant.mailboxId });
    return { sent: grants.length };
  },
  options: { singleton: 'queued', retryLimit: 1 },
  schedule: { cron: '*/5 * * * *', payload: {} },
});

export const tokenJobs = [findGrantsToCheckJob, checkGrantJob];
