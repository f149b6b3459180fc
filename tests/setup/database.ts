// Runs before each integration test file: gives the file a database of its own and points
// Mailroom's environment at it before any Mailroom module reads the environment.
import { afterAll } from 'vitest';
import { createTestDatabase } from '../helpers/database';

const database = await createTestDatabase();
Object.assign(process.env, database.env);

const { migrateDatabase } = await import('@/db/migrate');
await migrateDatabase();

afterAll(async () => {
  const { closeDatabase } = await import('@/db');
  await closeDatabase();
  await database.drop();
});
