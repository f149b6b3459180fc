import 'server-only';
import type { z } from 'zod';
import type { JobDefinition } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';

/** Rows per INSERT: pg-boss inserts a batch with one statement of JSON. */
const BATCH = 500;

export type JobToSend<Payload> = {
  payload: Payload;
  /** The job's id, chosen by the sender: sending a job whose id exists already does nothing. */
  id?: string;
  singletonKey?: string;
  startAfter?: Date;
};

/**
 * Sends many jobs of one kind, a few hundred per statement, after parsing every payload (a `ZodError`
 * refuses them all before anything is sent). Jobs whose id or singleton key is taken are skipped.
 */
export async function enqueueJobs<Schema extends z.ZodType>(
  job: JobDefinition<Schema>,
  toSend: JobToSend<z.input<Schema>>[],
  { queue: given }: { queue?: JobQueue } = {},
): Promise<void> {
  const rows = toSend.map(({ payload, id, singletonKey, startAfter }) => ({
    name: job.name,
    data: job.payload.parse(payload) as object,
    ...(id === undefined ? {} : { id }),
    ...(singletonKey === undefined ? {} : { singletonKey }),
    ...(startAfter === undefined ? {} : { startAfter }),
  }));
  const queue = given ?? (await getJobQueue());
  await prepareQueueForJob(queue, job);
  for (let start = 0; start < rows.length; start += BATCH) await queue.boss.insert(rows.slice(start, start + BATCH));
  for (const workerId of queue.workerIds.get(job.name) ?? []) queue.boss.notifyWorker(workerId);
}
