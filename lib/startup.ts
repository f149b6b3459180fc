import 'server-only';
import { closeDatabase, databaseKind } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { getKeyring } from '@/lib/crypto/keys';
import { bindUnboundSecrets } from '@/lib/crypto/rotate-keys';
import { getEnv, publicUrlPortMismatch } from '@/lib/env';
import { stopJobQueue } from '@/lib/jobs/job-queue';
import { startBackgroundWork } from '@/lib/jobs/start-background-work';
import { logger } from '@/lib/logger';
import { mailboxImportJobs } from '@/lib/mailboxes/import-job';
import { oauthJobs } from '@/lib/connect/connect-jobs';
import { outboxJobs } from '@/lib/outbox/outbox-jobs';
import { testerJobs } from '@/lib/tester/bulk-test-job';
import { connectionTestJob } from '@/lib/tester/connection-test-job';
import { closeAbandonedConnectionTests } from '@/lib/tester/run-connection-test';
import { tokenJobs } from '@/lib/tokens/token-jobs';

/**
 * What a portal instance does once when it starts: refuse a bad configuration with a clear message,
 * bring the database schema up to date and bind older secrets to their rows, then work background
 * jobs with the other instances.
 */
export async function startPortal(): Promise<void> {
  try {
    const env = getEnv();
    const mismatch = publicUrlPortMismatch(env);
    if (mismatch) logger.warn(mismatch, { port: env.PORT, publicUrl: env.MAILROOM_PUBLIC_URL });
    getKeyring();
    await migrateDatabase();
    await bindUnboundSecrets();
    await closeAbandonedConnectionTests();
    await startBackgroundWork([...tokenJobs, ...testerJobs, connectionTestJob, ...oauthJobs, ...outboxJobs, ...mailboxImportJobs]);
    process.once('SIGTERM', () => void stopPortal());
    process.once('SIGINT', () => void stopPortal());
    logger.info('Mailroom is ready', { database: databaseKind(), publicUrl: env.MAILROOM_PUBLIC_URL });
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n\n`);
    process.exit(1);
  }
}

/** Lets running jobs finish, then closes the database (the embedded one releases its folder). */
async function stopPortal(): Promise<void> {
  try {
    await stopJobQueue();
    await closeDatabase();
  } finally {
    process.exit(0);
  }
}
