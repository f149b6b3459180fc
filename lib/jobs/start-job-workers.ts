import 'server-only';
import type PgBoss from 'pg-boss';
import type { JobDefinition } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';
import { markJobInstance, reportJobProgress, saveJobCheckpoint } from './running-job-output';
import { watchForJobsToTakeOver } from './take-over-jobs';

/** What a resumable job's earlier attempt saved, when it was cut short by a stopped instance. */
function checkpointOf(output: unknown): unknown {
  if (typeof output !== 'object' || output === null || !('checkpoint' in output)) return null;
  return (output as { checkpoint: unknown }).checkpoint ?? null;
}

/** Runs one job through its handler; what it returns is stored as the job's output, with the instance that ran it. */
async function runJob(queue: JobQueue, job: JobDefinition, fetched: PgBoss.JobWithMetadata<unknown>): Promise<{ result: unknown; instance: number }> {
  const { id, data, retryCount } = fetched;
  const about = { name: job.name, id };
  const checkpoint = job.options.resumable ? checkpointOf(fetched.output) : null;
  if (job.options.resumable) await markJobInstance(about, { instance: queue.presence.key, checkpoint });
  const payload = job.payload.parse(data);
  const result = await job.handle(payload, {
    jobId: id,
    attempt: retryCount + 1,
    reportProgress: (progress) => reportJobProgress(about, progress),
    checkpoint,
    saveCheckpoint: (value) => saveJobCheckpoint(about, value),
    takeSlots: (request) => queue.slots.take(request),
  });
  // Wrapped so that a result of any shape, or none, reads back the same way.
  return { result: result ?? null, instance: queue.presence.key };
}

/**
 * Starts this instance's workers for the given jobs: `concurrency` of them per job, each taking one
 * job at a time and looking for the next at once while there are any (pg-boss would wait for its
 * polling interval after each job). Jobs already started on this queue are left as they are.
 * Resumable jobs are also taken over from stopped instances.
 */
export async function startJobWorkers(jobs: JobDefinition[], { queue: given }: { queue?: JobQueue } = {}): Promise<void> {
  const queue = given ?? (await getJobQueue());
  const starting = jobs.filter((job) => !queue.workerIds.has(job.name));
  for (const job of starting) queue.workerIds.set(job.name, []);
  await Promise.all(
    starting.map(async (job) => {
      await prepareQueueForJob(queue, job);
      const options = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: queue.pollingIntervalSeconds };
      for (let worker = 0; worker < (job.options.concurrency ?? 1); worker += 1) {
        let workerId = '';
        const handler = async ([fetched]: PgBoss.JobWithMetadata<unknown>[]) => {
          const running = runJob(queue, job, fetched!);
          queue.runningHandlers.add(running);
          try {
            return await running;
          } finally {
            queue.runningHandlers.delete(running);
            queue.boss.notifyWorker(workerId);
          }
        };
        workerId = await queue.boss.work(job.name, options, handler);
        queue.workerIds.get(job.name)!.push(workerId);
      }
    }),
  );
  watchForJobsToTakeOver(
    queue,
    starting.filter((job) => job.options.resumable),
  );
}
