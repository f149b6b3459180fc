import 'server-only';
import { and, count, inArray } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, type User } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { getJobStatus, type JobState } from '@/lib/jobs/get-job-status';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { getProfileById } from '@/lib/profiles/profiles';
import { BULK_TEST_KEY, bulkTestJob } from './bulk-test-job';
import { mailboxesToTest, type BulkTestMailboxResult } from './bulk-test-mailboxes';
import type { BulkTestTarget } from './bulk-test-target';

// The entry points people reach (API, mailbox list, profile page). Testing changes nothing but the
// tests' own outcomes, so support staff may run it like admins; owners test their mailboxes one by one.

export type BulkTestStatus = {
  id: string;
  /** `created`: waiting for another bulk test to finish. */
  state: JobState;
  progress: { done: number; total: number; message?: string } | null;
  /** Once completed, one per mailbox in address order. */
  results: BulkTestMailboxResult[] | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

function requireTester(viewer: Viewer): void {
  if (viewer.role === 'owner') throw new AppError('FORBIDDEN', 'Only admins and support staff test many mailboxes at once.');
}

async function checkTarget(viewer: Viewer, target: BulkTestTarget): Promise<BulkTestTarget> {
  if ('profileId' in target) {
    if (!(await getProfileById({ id: target.profileId }))) throw notFound('serverProfile');
    const [testable] = await db.select({ value: count() }).from(mailboxes).where(mailboxesToTest(target));
    if (!testable?.value) {
      throw new AppError('CONFLICT', 'No mailbox of this profile is connected with incoming or outgoing set to server-side synchronization: there is nothing to test.');
    }
    return target;
  }
  const ids = [...new Set(target.mailboxIds)];
  const found = await db
    .select({ value: count() })
    .from(mailboxes)
    .where(and(inArray(mailboxes.id, ids), mailboxScope(viewer)));
  const missing = ids.length - (found[0]?.value ?? 0);
  if (missing > 0) throw new AppError('NOT_FOUND', `${missing} of the selected mailboxes ${missing === 1 ? 'was' : 'were'} not found: reload the list and select again.`);
  return { mailboxIds: ids };
}

/** Queues a bulk test of the chosen mailboxes or of a profile's connected ones; returns its job id at once. */
export async function startBulkTest({ viewer, target }: { viewer: User; target: BulkTestTarget }): Promise<{ jobId: string }> {
  requireTester(viewer);
  const checked = await checkTarget(viewer, target);
  const jobId = await enqueueJob(bulkTestJob, { target: checked, startedBy: { id: viewer.id, email: viewer.email } }, { singletonKey: BULK_TEST_KEY });
  // The queue's policy ('running') never refuses a send; a null would mean the queue changed under us.
  if (!jobId) throw new AppError('CONFLICT', 'The bulk test was not queued: try again.');
  return { jobId };
}

/** A bulk test's state, progress and, once done, its per-mailbox results; null if there is no such job. */
export async function getBulkTest({ viewer, jobId }: { viewer: Viewer; jobId: string }): Promise<BulkTestStatus | null> {
  requireTester(viewer);
  const status = await getJobStatus(bulkTestJob, jobId);
  if (!status) return null;
  return {
    id: status.id,
    state: status.state,
    progress: status.progress,
    results: status.result?.results ?? null,
    error: status.error,
    createdAt: status.createdOn.toISOString(),
    startedAt: status.startedOn?.toISOString() ?? null,
    finishedAt: status.completedOn?.toISOString() ?? null,
  };
}
