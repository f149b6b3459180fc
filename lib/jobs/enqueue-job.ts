import 'server-only';
import type { z } from 'zod';
import type { JobDefinition } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';

export type EnqueueJobOptions = {
  /** Jobs with the same key are deduplicated as the job's `singleton` option says. */
  singletonKey?: string;
  /** Not before this time. */
  startAfter?: Date;
  /** Another queue than the process's one (tests). */
  queue?: JobQueue;
};

/**
 * Sends one job after parsing its payload with the job's schema (a `ZodError` refuses it before
 * anything is sent). Returns the job's id, or null when its `singletonKey` is already taken.
 */
export async function enqueueJob<Schema extends z.ZodType>(
  job: JobDefinition<Schema>,
  payload: z.input<Schema>,
  { singletonKey, startAfter, queue: given }: EnqueueJobOptions = {},
): Promise<string | null> {
  const data = job.payload.parse(payload);
  const queue = given ?? (await getJobQueue());
  await prepareQueueForJob(queue, job);
  const id = await queue.boss.send(job.name, data as object, { singletonKey, startAfter });
  // Workers of this instance look at once instead of at their next poll.
  if (id) for (const workerId of queue.workerIds.get(job.name) ?? []) queue.boss.notifyWorker(workerId);
  return id;
}
