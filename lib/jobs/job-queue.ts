import 'server-only';
import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { databaseClient, databaseKind } from '@/db';
import { getEnv } from '@/lib/env';
import { describeError, logger } from '@/lib/logger';
import type { JobDefinition } from './define-job';
import { startInstancePresence, type InstancePresence } from './instance-presence';
import { createPgliteJobDatabase, type PgliteJobDatabase } from './pglite-job-database';
import { SharedSlots } from './shared-slots';

/** The PostgreSQL schema pg-boss creates and keeps its tables in. */
export const JOB_QUEUE_SCHEMA = 'pgboss';

/** How long stopping waits for running jobs before pg-boss marks them failed (to be retried). */
const STOP_TIMEOUT_MS = 15_000;

export type JobQueueSettings = {
  /** How often an idle worker looks for jobs (default 2 s; pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How often schedules are checked (default 30 s, from 1 to 45). */
  scheduleCheckIntervalSeconds?: number;
};

/** One started pg-boss instance and what this process knows about the workers it runs. */
export type JobQueue = {
  boss: PgBoss;
  /** This portal instance as the others see it, and the slots it holds with them. */
  presence: InstancePresence;
  slots: SharedSlots;
  pollingIntervalSeconds: number;
  /** Queues created or brought up to date by this instance, by job name. */
  preparedQueues: Map<string, Promise<void>>;
  /** pg-boss worker ids by job name, to wake them when this instance sends a job. */
  workerIds: Map<string, string[]>;
  /** Handlers running now: stopping waits for them. */
  runningHandlers: Set<Promise<unknown>>;
  /** Resumable jobs this instance works, and takes over from stopped instances (see takeOverJobs). */
  resumableJobs: Map<string, JobDefinition>;
  takeOverTimer: NodeJS.Timeout | null;
  stop: () => Promise<void>;
};

function connectionOptions(database: PgliteJobDatabase | null): PgBoss.DatabaseOptions {
  if (database) return { db: database as PgBoss.Db };
  return { connectionString: getEnv().DATABASE_URL, max: 4, application_name: 'mailroom-jobs' };
}

/**
 * Starts a pg-boss instance on Mailroom's database, creating its schema on first use. On PostgreSQL
 * it opens connections of its own; on PGlite, which allows one connection, it shares Mailroom's.
 * The portal uses the one from `getJobQueue()`; tests create more to act as several portal instances.
 */
export async function createJobQueue(settings: JobQueueSettings = {}): Promise<JobQueue> {
  const { pollingIntervalSeconds = 2, scheduleCheckIntervalSeconds = 30 } = settings;
  const pgliteDatabase = databaseKind() === 'pglite' ? createPgliteJobDatabase(databaseClient() as PGlite) : null;
  const boss = new PgBoss({
    ...connectionOptions(pgliteDatabase),
    schema: JOB_QUEUE_SCHEMA,
    pollingIntervalSeconds,
    cronMonitorIntervalSeconds: scheduleCheckIntervalSeconds,
    cronWorkerIntervalSeconds: Math.min(5, scheduleCheckIntervalSeconds),
  });
  boss.on('error', (error: Error & { queue?: string }) => {
    logger.error('Job queue error', { error: describeError(error), queue: error.queue });
  });
  await boss.start();
  const presence = await startInstancePresence();

  const runningHandlers = new Set<Promise<unknown>>();
  const queue: JobQueue = {
    boss,
    presence,
    slots: SharedSlots.of(presence),
    pollingIntervalSeconds,
    preparedQueues: new Map(),
    workerIds: new Map(),
    runningHandlers,
    resumableJobs: new Map(),
    takeOverTimer: null,
    async stop() {
      if (queue.takeOverTimer) clearInterval(queue.takeOverTimer);
      await boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
      // A job fetched just before the stop still runs; PGlite then stays open until it is saved.
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (runningHandlers.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.allSettled([...runningHandlers]), delay(deadline - Date.now())]);
      }
      if (runningHandlers.size > 0) logger.warn('Job queue stopped with jobs still running', { running: runningHandlers.size });
      await new Promise((resolve) => setImmediate(resolve));
      await pgliteDatabase?.whenIdle();
      // Last: the slots and the jobs still held are the other instances' to take from here.
      await presence.stop();
    },
  };
  return queue;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const globalForJobs = globalThis as typeof globalThis & { mailroomJobQueue?: Promise<JobQueue> };

/** The one job queue of this process, started on first use. */
export function getJobQueue(): Promise<JobQueue> {
  if (globalForJobs.mailroomJobQueue) return globalForJobs.mailroomJobQueue;
  const starting = createJobQueue();
  globalForJobs.mailroomJobQueue = starting;
  starting.catch(() => {
    if (globalForJobs.mailroomJobQueue === starting) globalForJobs.mailroomJobQueue = undefined;
  });
  return starting;
}

/** Stops workers and schedules, waiting for running jobs; call it before `closeDatabase()`. */
export async function stopJobQueue(): Promise<void> {
  const current = globalForJobs.mailroomJobQueue;
  globalForJobs.mailroomJobQueue = undefined;
  const queue = await current?.catch(() => undefined);
  await queue?.stop();
}
