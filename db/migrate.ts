import 'server-only';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { getEnv } from '@/lib/env';
import { databaseClient, databaseKind } from './index';

const migrationsFolder = path.resolve(process.cwd(), 'drizzle');
/** Any constant: it only has to be the same in every Mailroom instance sharing the database. */
const MIGRATION_LOCK_ID = 74_201_113;

/** Applies pending migrations; instances sharing one PostgreSQL take turns through an advisory lock. */
export async function migrateDatabase(): Promise<void> {
  if (databaseKind() === 'pglite') {
    await migratePglite(drizzlePglite({ client: databaseClient() as PGlite }), { migrationsFolder });
    return;
  }
  const url = getEnv().DATABASE_URL!;
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
