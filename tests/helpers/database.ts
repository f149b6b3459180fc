import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../drizzle');

/**
 * A migrated PGlite data folder to copy: creating one from nothing takes seconds (initdb in WASM),
 * copying one a fraction of that. One per set of migrations, made by whichever test needs it first.
 */
async function pgliteTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS, { recursive: true }).map(String).sort()) {
    const full = path.join(MIGRATIONS, file);
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(full));
  }
  const template = path.join(tmpdir(), `mailroom-pglite-template-${hash.digest('hex').slice(0, 16)}`);
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

function serverUrl(): string {
  const url = process.env.MAILROOM_TEST_POSTGRES_URL;
  if (!url) throw new Error('MAILROOM_TEST_POSTGRES_URL is not set: the postgres test projects need DATABASE_URL at launch.');
  return url;
}

/**
 * A database of its own for one test file or one portal: a fresh PGlite data folder, or a new
 * database on the PostgreSQL server that is dropped afterwards, so runs never see each other's rows.
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
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
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
