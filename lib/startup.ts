import 'server-only';
import { databaseKind } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { getKeyring } from '@/lib/crypto/keys';
import { startBackgroundWork } from '@/lib/jobs/start-background-work';
import { tokenJobs } from '@/lib/tokens/token-jobs';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';

/**
 * What a portal instance does once when it starts: refuse a bad configuration with a clear message,
 * bring the database schema up to date, then work background jobs with the other instances.
 */
export async function startPortal(): Promise<void> {
  try {
    getEnv();
    getKeyring();
    await migrateDatabase();
    await startBackgroundWork([...tokenJobs]);
    logger.info('Mailroom is ready', { database: databaseKind(), publicUrl: getEnv().MAILROOM_PUBLIC_URL });
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n\n`);
    process.exit(1);
  }
}
