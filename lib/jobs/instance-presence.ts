import 'server-only';
import { randomInt } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { databaseKind } from '@/db';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';

/** The first key of the advisory lock every running portal instance holds; the second is its own number. */
const INSTANCE_LOCK_CLASS = 1_836_214_882;

/**
 * This portal instance as the others see it. On PostgreSQL it holds an advisory lock on a session of
 * its own for as long as it runs: however it stops (a stop, a crash, a killed process), PostgreSQL
 * ends the session and releases the lock, and whatever else was locked on it, at once. On PGlite the
 * one process is the only instance.
 */
export type InstancePresence = {
  /** This instance's number, written on the jobs it runs. */
  key: number;
  /** The session whose life is this instance's; null on PGlite. */
  session: postgres.Sql | null;
  stop: () => Promise<void>;
};

async function lockInstanceKey(session: postgres.Sql, preferred?: number): Promise<number> {
  for (let key = preferred ?? randomInt(1, 2 ** 31 - 1); ; key = randomInt(1, 2 ** 31 - 1)) {
    const [row] = await session<{ locked: boolean }[]>`select pg_try_advisory_lock(${INSTANCE_LOCK_CLASS}, ${key}) as locked`;
    if (row?.locked) return key;
  }
}

/** On PGlite, the instance is the process, whatever job queues it starts. */
const PROCESS_KEY = randomInt(1, 2 ** 31 - 1);

export async function startInstancePresence(): Promise<InstancePresence> {
  if (databaseKind() === 'pglite') return { key: PROCESS_KEY, session: null, stop: async () => {} };
  let stopping = false;
  let key = 0;
  const session = postgres(getEnv().DATABASE_URL!, {
    max: 1,
    // The lock lives as long as the connection: never closed for being idle or old (0: no limit).
    idle_timeout: 0,
    max_lifetime: 0,
    connection: { application_name: 'mailroom-instance' },
    onnotice: () => {},
    onclose: () => {
      if (stopping) return;
      // PostgreSQL restarted or the network broke: the other instances now see this one as stopped.
      logger.warn('Lost the database session that shows this instance running; taking it again', { instance: key });
      void lockInstanceKey(session, key).then(
        (locked) => {
          key = locked;
        },
        () => undefined,
      );
    },
  });
  key = await lockInstanceKey(session);
  return {
    get key() {
      return key;
    },
    session,
    async stop() {
      if (stopping) return;
      stopping = true;
      await session.end({ timeout: 5 });
    },
  };
}

/**
 * True when the instance numbered `instance` (an SQL integer expression) no longer runs: on
 * PostgreSQL, nobody holds its lock; on PGlite, it is not this process (another process had the
 * database before this one).
 */
export function instanceStoppedSql(presence: InstancePresence, instance: SQL): SQL {
  if (!presence.session) return sql`${instance} <> ${presence.key}`;
  return sql`not exists (
    select 1 from pg_locks
    where locktype = 'advisory' and classid::bigint = ${INSTANCE_LOCK_CLASS} and objid::bigint = ${instance} and objsubid = 2 and granted
  )`;
}
