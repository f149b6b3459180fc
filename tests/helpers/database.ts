import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

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
