import 'server-only';
import type PgBoss from 'pg-boss';
import type { JobDefinition } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';
import { reportJobProgress } from './report-job-progress';

/** Runs one job through its handler; what it returns is stored as the job's output. */
async function runJob(job: JobDefinition, { id, data, retryCount }: PgBoss.JobWithMetadata<unknown>): Promise<{ result: unknown }> {
  const payload = job.payload.parse(data);
  const result = await job.handle(payload, {
    jobId: id,
    attempt: retryCount + 1,
    reportProgress: (progress) => reportJobProgress({ name: job.name, id, progress }),
  });
  // Wrapped so that a result of any shape, or none, reads back the same way.
  return { result: result ?? null };
}

/**
 * Starts this instance's workers for the given jobs: `concurrency` of them per job, each taking one
 * job at a time. Jobs already started on this queue are left as they are.
 */
export async function startJobWorkers(jobs: JobDefinition[], { queue: given }: { queue?: JobQueue } = {}): Promise<void> {
  const queue = given ?? (await getJobQueue());
  const starting = jobs.filter((job) => !queue.workerIds.has(job.name));
  for (const job of starting) queue.workerIds.set(job.name, []);
  await Promise.all(
    starting.map(async (job) => {
      await prepareQueueForJob(queue, job);
      const options = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: queue.pollingIntervalSeconds };
      const handler = async ([fetched]: PgBoss.JobWithMetadata<unknown>[]) => {
        const running = runJob(job, fetched!);
        queue.runningHandlers.add(running);
        try {
          return await running;
        } finally {
          queue.runningHandlers.delete(running);
        }
      };
      for (let worker = 0; worker < (job.options.concurrency ?? 1); worker += 1) {
        queue.workerIds.get(job.name)!.push(await queue.boss.work(job.name, options, handler));
      }
    }),
  );
}
