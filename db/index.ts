import 'server-only';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { getEnv } from '@/lib/env';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction or the database itself: functions that write take either. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute' | 'query'>;

type Connection = {
  kind: 'pglite' | 'postgres';
  db: Database;
  close: () => Promise<void>;
};

export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another Mailroom process (pid ${pid}). ` +
        'Stop that process first, or set DATABASE_URL to share a PostgreSQL database between processes.',
    );
    this.name = 'DatabaseInUseError';
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite has no locking of its own: two processes on one data folder would corrupt it. */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'mailroom.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(lockPath, { force: true });
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new DatabaseInUseError(dataDir, holder);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}

function openDatabase(): Connection {
  const env = getEnv();
  if (env.DATABASE_URL) {
    const client = postgres(env.DATABASE_URL, { max: 10, onnotice: () => {} });
    return {
      kind: 'postgres',
      db: drizzlePostgres({ client, schema }) as unknown as Database,
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = path.resolve(env.MAILROOM_DATA_DIR, 'pglite');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(dataDir);
  const client = new PGlite(dataDir);
  return {
    kind: 'pglite',
    db: drizzlePglite({ client, schema }) as unknown as Database,
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

const globalForDb = globalThis as typeof globalThis & { mailroomConnection?: Connection };

function connection(): Connection {
  globalForDb.mailroomConnection ??= openDatabase();
  return globalForDb.mailroomConnection;
}

/**
 * The one database. It opens on first use, not on import, so that `next build` and the command line
 * never touch a database they do not need.
 */
export const db: Database = new Proxy({} as Database, {
  get(_target, property) {
    const real = connection().db;
    const value = Reflect.get(real, property, real);
    return typeof value === 'function' ? value.bind(real) : value;
  },
});

export function databaseKind(): Connection['kind'] {
  return connection().kind;
}

export async function closeDatabase(): Promise<void> {
  const current = globalForDb.mailroomConnection;
  globalForDb.mailroomConnection = undefined;
  await current?.close();
}

/** The raw client, for the migrator only. */
export function databaseClient(): PGlite | postgres.Sql {
  return (connection().db as unknown as { $client: PGlite | postgres.Sql }).$client;
}
