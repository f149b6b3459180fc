import 'server-only';
import { logger } from '@/lib/logger';
import type { JobDefinition } from './define-job';
import { getJobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';
import { startJobWorkers } from './start-job-workers';
import { syncJobSchedules } from './sync-job-schedules';

/** What a portal instance does at start for background work: work the given jobs, keep their schedules. */
export async function startBackgroundWork(jobs: JobDefinition[]): Promise<void> {
  const queue = await getJobQueue();
  // One queue at a time: queues created side by side deadlock each other in pg-boss's job table.
  for (const job of jobs) await prepareQueueForJob(queue, job);
  await Promise.all([startJobWorkers(jobs, { queue }), syncJobSchedules(jobs, { queue })]);
  logger.info('Background work started', { instance: queue.presence.key, jobs: jobs.map((job) => job.name) });
}
