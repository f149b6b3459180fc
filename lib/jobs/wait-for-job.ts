import 'server-only';
import type { z } from 'zod';
import type { JobDefinition } from './define-job';
import { FINISHED_JOB_STATES, getJobStatus, type JobStatus } from './get-job-status';
import type { JobQueue } from './job-queue';

const POLL_INTERVAL_MS = 100;

/**
 * Waits until a job has completed, failed or been cancelled, and returns its status. Throws if the
 * job does not exist or is still unfinished after `timeoutMs`.
 */
export async function waitForJob<Result>(
  job: JobDefinition<z.ZodType, Result>,
  id: string,
  { timeoutMs = 30_000, queue }: { timeoutMs?: number; queue?: JobQueue } = {},
): Promise<JobStatus<Result>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await getJobStatus(job, id, { queue });
    if (!status) throw new Error(`Job ${job.name} ${id} does not exist`);
    if (FINISHED_JOB_STATES.has(status.state)) return status;
    if (Date.now() >= deadline) {
      throw new Error(`Job ${job.name} ${id} did not finish within ${timeoutMs} ms (still ${status.state})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
