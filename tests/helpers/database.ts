import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../drizzle');
/** Held while one test process builds the PostgreSQL template, so the others wait for it instead of building their own. */
const TEMPLATE_LOCK_ID = 74_201_114;

/** Names the templates: a branch with other migrations (another worktree, the same server) gets a template of its own. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS, { recursive: true }).map(String).sort()) {
    const full = path.join(MIGRATIONS, file);
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(full));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * A migrated PGlite data folder to copy: creating one from nothing takes seconds (initdb in WASM),
 * copying one a fraction of that. One per set of migrations, made by whichever test needs it first.
 */
async function pgliteTemplate(): Promise<string> {
  const template = path.join(tmpdir(), `mailroom-pglite-template-${migrationsHash()}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(`${template}-building-`);
  const client = new PGlite(building);
  await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
  await client.close();
  try {
    renameSync(building, template);
  } catch {
    // Another test built it at the same time: use theirs.
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

export type TestDatabaseKind = 'pglite' | 'postgres';

export type TestDatabase = {
  kind: TestDatabaseKind;
  /** Environment variables that point Mailroom at this database, with a fresh encryption key. */
  env: Record<string, string>;
  dataDir: string;
  drop: () => Promise<void>;
};

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.MAILROOM_TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';
}

function serverUrl(database?: string): string {
  const url = process.env.MAILROOM_TEST_POSTGRES_URL;
  if (!url) throw new Error('MAILROOM_TEST_POSTGRES_URL is not set: the postgres test projects need DATABASE_URL at launch.');
  if (!database) return url;
  const withDatabase = new URL(url);
  withDatabase.pathname = `/${database}`;
  return withDatabase.toString();
}

/**
 * A migrated PostgreSQL database to clone with CREATE DATABASE … TEMPLATE: a clone is a file copy,
 * where migrating every test file's database ran every migration again. Built once per set of
 * migrations by whichever test needs it first, under an advisory lock, and kept for later runs.
 */
async function postgresTemplate(admin: postgres.Sql): Promise<string> {
  const template = `mailroom_template_${migrationsHash()}`;
  const exists = async () => (await admin`select 1 from pg_database where datname = ${template}`).length > 0;
  if (await exists()) return template;
  await admin`select pg_advisory_lock(${TEMPLATE_LOCK_ID})`;
  try {
    if (await exists()) return template;
    // Built under another name and renamed when complete: a run stopped midway leaves no half-migrated template.
    const building = `${template}_building`;
    await admin.unsafe(`drop database if exists ${building} with (force)`);
    await admin.unsafe(`create database ${building}`);
    const client = postgres(serverUrl(building), { max: 1, onnotice: () => {} });
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.end();
    }
    await admin.unsafe(`alter database ${building} rename to ${template}`);
    return template;
  } finally {
    await admin`select pg_advisory_unlock(${TEMPLATE_LOCK_ID})`;
  }
}

/**
 * A database of its own for one test file or one portal, already migrated: a copy of the PGlite
 * template folder, or a clone of the PostgreSQL template that is dropped afterwards, so runs never
 * see each other's rows.
 */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailroom-test-'));
  const env: Record<string, string> = {
    MAILROOM_DATA_DIR: dataDir,
    MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: '',
  };
  if (kind === 'pglite') {
    cpSync(await pgliteTemplate(), path.join(dataDir, 'pglite'), { recursive: true });
    return { kind, env, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `mailroom_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${await postgresTemplate(admin)}`);
  } finally {
    await admin.end();
  }
  env.DATABASE_URL = serverUrl(name);
  return {
    kind,
    env,
    dataDir,
    drop: async () => {
      const cleanup = postgres(serverUrl(), { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
