import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { sendOutboxMessage } from './send-outbox-message';
import { sweepOutbox } from './sweep-outbox';

/**
 * One queued message's attempt. Its retries and their backoff are the message row's (see
 * sendOutboxMessage), not pg-boss's: pg-boss retries only a job that failed in the portal itself.
 * One job waits per message, whoever sends it (the API, a retry, the sweep).
 */
export const sendOutboxMessageJob = defineJob({
  name: 'outbox.send',
  payload: z.object({ messageId: z.uuid() }),
  handle: ({ messageId }) => sendOutboxMessage({ messageId, requeue: (at) => enqueueOutboxSend(messageId, at).then(() => undefined) }),
  options: { singleton: 'queued', retryLimit: 2, retryDelaySeconds: 5, retryBackoff: true, concurrency: 4, expireInSeconds: 15 * 60 },
});

/** Wakes the message's job now or at `startAfter`; nothing happens when one already waits. */
export function enqueueOutboxSend(messageId: string, startAfter?: Date): Promise<string | null> {
  return enqueueJob(sendOutboxMessageJob, { messageId }, { singletonKey: messageId, startAfter });
}

export const sweepOutboxJob = defineJob({
  name: 'outbox.sweep',
  payload: z.object({}),
  handle: () => sweepOutbox({ enqueue: (messageId) => enqueueOutboxSend(messageId) }),
  options: { singleton: 'queued-and-running', retryLimit: 0 },
  schedule: { cron: '* * * * *', payload: {} },
});

export const outboxJobs = [sendOutboxMessageJob, sweepOutboxJob];
