// Runs before each integration test file: gives the file a database of its own and points
// Mailroom's environment at it before any Mailroom module reads the environment. The lab's personas
// stand in for Google and Microsoft, so Gmail and Microsoft 365 profiles may point at them.
import { afterAll } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { labProviderOrigins } from '../helpers/portal';

const database = await createTestDatabase();
Object.assign(process.env, database.env, { MAILROOM_EXTRA_PROVIDER_ORIGINS: labProviderOrigins() });

const { migrateDatabase } = await import('@/db/migrate');
await migrateDatabase();

afterAll(async () => {
  // A device sign-in sends a job, which starts the process's job queue: stop it before its database closes.
  const { stopJobQueue } = await import('@/lib/jobs/job-queue');
  await stopJobQueue();
  const { closeDatabase } = await import('@/db');
  await closeDatabase();
  await database.drop();
});
