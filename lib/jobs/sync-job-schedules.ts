import 'server-only';
import type { JobDefinition } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';
import { prepareQueueForJob } from './prepare-queue-for-job';

/**
 * Makes the schedules stored in the database match the jobs' `schedule`: set where there is one,
 * removed where there is none (a schedule deleted from the code stops). Every portal instance may
 * do this at start; pg-boss sends each scheduled job once whichever instance notices it first.
 */
export async function syncJobSchedules(jobs: JobDefinition[], { queue: given }: { queue?: JobQueue } = {}): Promise<void> {
  const queue = given ?? (await getJobQueue());
  await Promise.all(
    jobs.map(async (job) => {
      await prepareQueueForJob(queue, job);
      if (!job.schedule) {
        await queue.boss.unschedule(job.name);
        return;
      }
      const { cron, payload, timezone = 'UTC' } = job.schedule;
      await queue.boss.schedule(job.name, cron, job.payload.parse(payload) as object, { tz: timezone });
    }),
  );
}
