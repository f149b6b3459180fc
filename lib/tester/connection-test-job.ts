import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { db } from '@/db';
import { connectionTests } from '@/db/schema';
import { defineJob } from '@/lib/jobs/define-job';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { ABANDONED_AFTER_MS, runStartedConnectionTest, createOrJoinConnectionTest, type RunConnectionTestOptions } from './run-connection-test';
import { getTrustedCertificates } from './trusted-context';

export const connectionTestPayload = z.object({
  testId: z.uuid(),
  /** Who asked, recorded as the actor of the verdict; null for the system. */
  startedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  sendTestMessage: z.boolean(),
});

/**
 * Runs the checks of one started test, on whichever portal instance takes the job. Not retried: a
 * test cut short by a stopped instance is closed as interrupted (closeAbandonedConnectionTests),
 * and the person runs it again. It expires when the test counts as abandoned.
 */
export const connectionTestJob = defineJob({
  name: 'tester.connection-test',
  payload: connectionTestPayload,
  handle: async ({ testId, startedBy, sendTestMessage }) => {
    const [test] = await db
      .select()
      .from(connectionTests)
      .where(and(eq(connectionTests.id, testId), isNull(connectionTests.ok)));
    // Gone (deleted with its mailbox) or already closed as interrupted: nothing to run.
    if (!test) return;
    await runStartedConnectionTest(test, { startedBy, sendTestMessage, trustedCertificates: await getTrustedCertificates() });
  },
  options: { retryLimit: 0, expireInSeconds: ABANDONED_AFTER_MS / 1000, concurrency: 4 },
});

/**
 * Starts a test (or joins the running one) and returns at once, the checks running as a job on
 * any portal instance: what the mailbox page does, following the steps as they are recorded.
 */
export async function enqueueConnectionTest(options: Omit<RunConnectionTestOptions, 'trustedCertificates'>): Promise<{ testId: string; joined: boolean }> {
  const { test, joined } = await createOrJoinConnectionTest(options);
  if (!joined) {
    // Every instance works these jobs from its start; this makes sure of it where nothing started them (scripts, tests).
    await startJobWorkers([connectionTestJob]);
    const startedBy = options.startedBy ? { id: options.startedBy.id, email: options.startedBy.email } : null;
    await enqueueJob(connectionTestJob, { testId: test.id, startedBy, sendTestMessage: options.sendTestMessage ?? false });
  }
  return { testId: test.id, joined };
}
