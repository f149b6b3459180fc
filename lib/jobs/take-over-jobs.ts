import 'server-only';
import { and, eq, lt, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { describeError, logger } from '@/lib/logger';
import type { JobDefinition } from './define-job';
import { instanceStoppedSql } from './instance-presence';
import type { JobQueue } from './job-queue';
import { jobs } from './job-table';

/** How often each instance looks for resumable jobs left running by a stopped instance. */
export const TAKE_OVER_INTERVAL_MS = 2_000;
/**
 * A job is marked with its instance just after it is taken: one left unmarked this long was taken by
 * an instance that stopped in between.
 */
const UNMARKED_FOR_MS = 30_000;
/** Held on an instance's own session while it takes jobs over, so that two instances never fail the same job twice. */
const TAKE_OVER_LOCK = 1_836_214_883;

const STOPPED_INSTANCE_MESSAGE = 'The portal instance running it stopped';
/** On PGlite, job queues of one process are one instance: one of them at a time takes jobs over. */
let takingOverInProcess = false;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function takeOverJobsOf(queue: JobQueue, job: JobDefinition): Promise<number> {
  const instance = sql`(${jobs.output}->>'instance')::bigint`;
  const stranded = await db
    .select({ id: jobs.id, output: jobs.output })
    .from(jobs)
    .where(
      and(
        eq(jobs.name, job.name),
        sql`${jobs.state} = 'active'`,
        or(
          and(sql`${jobs.output} ? 'instance'`, instanceStoppedSql(queue.presence, instance)),
          and(sql`not coalesce(${jobs.output} ? 'instance', false)`, lt(jobs.startedOn, new Date(Date.now() - UNMARKED_FOR_MS))),
        ),
      ),
    );
  for (const { id, output } of stranded) {
    const checkpoint = isRecord(output) ? output.checkpoint : undefined;
    // A failure is retried as the job's retry policy says; the checkpoint goes with it.
    await queue.boss.fail(job.name, id, { value: { message: STOPPED_INSTANCE_MESSAGE }, ...(checkpoint === undefined ? {} : { checkpoint }) });
  }
  if (stranded.length > 0) logger.warn('Took over jobs of a stopped portal instance', { job: job.name, count: stranded.length });
  return stranded.length;
}

/**
 * Retries at once the resumable jobs that a portal instance left running when it stopped, instead
 * of waiting for them to expire. Every instance looks; one at a time does it. Returns how many.
 */
export async function takeOverJobs(queue: JobQueue): Promise<number> {
  const session = queue.presence.session;
  if (session) {
    const [row] = await session<{ locked: boolean }[]>`select pg_try_advisory_lock(${TAKE_OVER_LOCK}) as locked`;
    if (!row?.locked) return 0;
  } else if (takingOverInProcess) {
    return 0;
  }
  takingOverInProcess = !session;
  try {
    let count = 0;
    for (const job of queue.resumableJobs.values()) count += await takeOverJobsOf(queue, job);
    return count;
  } finally {
    if (session) await session`select pg_advisory_unlock(${TAKE_OVER_LOCK})`;
    else takingOverInProcess = false;
  }
}

/** Looks for jobs to take over now, then every TAKE_OVER_INTERVAL_MS, for the resumable jobs this instance works. */
export function watchForJobsToTakeOver(queue: JobQueue, resumable: JobDefinition[]): void {
  for (const job of resumable) queue.resumableJobs.set(job.name, job);
  if (queue.takeOverTimer || queue.resumableJobs.size === 0) return;
  let looking = false;
  const look = async () => {
    if (looking) return;
    looking = true;
    try {
      await takeOverJobs(queue);
    } catch (error) {
      logger.error('Could not take over the jobs of stopped instances', { error: describeError(error) });
    } finally {
      looking = false;
    }
  };
  queue.takeOverTimer = setInterval(() => void look(), TAKE_OVER_INTERVAL_MS);
  queue.takeOverTimer.unref();
  void look();
}
