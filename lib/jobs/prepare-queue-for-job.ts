import 'server-only';
import type PgBoss from 'pg-boss';
import type { JobDefinition, JobOptions } from './define-job';
import type { JobQueue } from './job-queue';

const POLICIES: Record<NonNullable<JobOptions['singleton']> | 'none', PgBoss.QueuePolicy> = {
  none: 'standard',
  queued: 'short',
  running: 'singleton',
  'queued-and-running': 'stately',
};

const ATTEMPTS = 5;

/**
 * Creating or updating a queue touches pg-boss's partitioned job table: two portal instances doing so
 * at the same moment can deadlock, and PostgreSQL then cancels one of them, which simply tries again
 * after a short, random wait (creating a queue that exists does nothing).
 */
async function retryOnDeadlock(run: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const deadlocked = (error as { code?: string }).code === '40P01';
      if (!deadlocked || attempt === ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}

/**
 * pg-boss 10 keeps each job kind in a queue of its own that must exist before a job is sent or
 * worked; the job's options live on the queue, so that scheduled sends get them too. Updating on
 * every start keeps them as the code says (an option removed from the code keeps its old value).
 */
export function prepareQueueForJob(queue: JobQueue, job: JobDefinition): Promise<void> {
  let prepared = queue.preparedQueues.get(job.name);
  if (!prepared) {
    const { retryLimit, retryDelaySeconds, retryBackoff, expireInSeconds, singleton } = job.options;
    const settings = { retryLimit, retryDelay: retryDelaySeconds, retryBackoff, expireInSeconds };
    // pg-boss refuses an option that is present but undefined.
    const options: PgBoss.Queue = {
      name: job.name,
      policy: POLICIES[singleton ?? 'none'],
      ...Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)),
    };
    prepared = retryOnDeadlock(async () => {
      if (!(await queue.boss.getQueue(job.name))) await queue.boss.createQueue(job.name, options);
      await queue.boss.updateQueue(job.name, options);
    });
    queue.preparedQueues.set(job.name, prepared);
    prepared.catch(() => queue.preparedQueues.delete(job.name));
  }
  return prepared;
}
