import 'server-only';
import { and, count, inArray } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, type User } from '@/db/schema';
import { AppError, notFound, renderProblem } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';
import { phrase, renderText } from '@/lib/i18n/text';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { getJobStatus, type JobState } from '@/lib/jobs/get-job-status';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { getProfileById } from '@/lib/profiles/profiles';
import { BULK_TEST_KEY, bulkTestJob } from './bulk-test-job';
import type { BulkTestMailboxResult } from './bulk-test-mailbox-job';
import { mailboxesToTest } from './bulk-test-mailboxes';
import type { BulkTestTarget } from './bulk-test-target';

// The entry points people reach (API, mailbox list, profile page). Testing changes nothing but the
// tests' own outcomes, so support staff may run it like admins; owners test their mailboxes one by one.

export type BulkTestStatus = {
  id: string;
  /** `created`: waiting for another bulk test to finish. */
  state: JobState;
  progress: { done: number; total: number; message?: string } | null;
  /** Once completed, one per mailbox in address order, in the reader's language. */
  results: Omit<BulkTestMailboxResult, 'key' | 'values'>[] | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

function requireTester(viewer: Viewer): void {
  if (viewer.role === 'owner') throw new AppError('FORBIDDEN', phrase('tester.problems.bulkForbidden'));
}

async function checkTarget(viewer: Viewer, target: BulkTestTarget): Promise<BulkTestTarget> {
  if ('profileId' in target) {
    if (!(await getProfileById({ id: target.profileId }))) throw notFound('serverProfile');
    const [testable] = await db.select({ value: count() }).from(mailboxes).where(mailboxesToTest(target));
    if (!testable?.value) {
      throw new AppError('CONFLICT', phrase('tester.problems.bulkNothingToTest'));
    }
    return target;
  }
  const ids = [...new Set(target.mailboxIds)];
  const found = await db
    .select({ value: count() })
    .from(mailboxes)
    .where(and(inArray(mailboxes.id, ids), mailboxScope(viewer)));
  const missing = ids.length - (found[0]?.value ?? 0);
  if (missing > 0) throw new AppError('NOT_FOUND', phrase('tester.problems.bulkMissing', { missing }));
  return { mailboxIds: ids };
}

/** Queues a bulk test of the chosen mailboxes or of a profile's connected ones; returns its job id at once. */
export async function startBulkTest({ viewer, target }: { viewer: User; target: BulkTestTarget }): Promise<{ jobId: string }> {
  requireTester(viewer);
  const checked = await checkTarget(viewer, target);
  const jobId = await enqueueJob(bulkTestJob, { target: checked, startedBy: { id: viewer.id, email: viewer.email } }, { singletonKey: BULK_TEST_KEY });
  // The queue's policy ('running') never refuses a send; a null would mean the queue changed under us.
  if (!jobId) throw new AppError('CONFLICT', phrase('tester.problems.bulkNotQueued'));
  return { jobId };
}

/** A result's message and hint in the reader's language; results stored by older versions keep their English. */
function renderResult({ key, values, ...result }: BulkTestMailboxResult, locale: Locale): Omit<BulkTestMailboxResult, 'key' | 'values'> {
  if (!key || result.message === null) return result;
  const rendered = renderProblem({ code: '', message: result.message, hint: result.hint ?? undefined, key, values }, locale);
  return { ...result, message: rendered.message, hint: rendered.hint || null };
}

/** A bulk test's state, progress and, once done, its per-mailbox results in the reader's language; null if there is no such job. */
export async function getBulkTest({ viewer, jobId, locale }: { viewer: Viewer; jobId: string; locale: Locale }): Promise<BulkTestStatus | null> {
  requireTester(viewer);
  const status = await getJobStatus(bulkTestJob, jobId);
  if (!status) return null;
  return {
    id: status.id,
    state: status.state,
    progress: status.progress && {
      done: status.progress.done,
      total: status.progress.total,
      ...(status.progress.message === undefined ? {} : { message: renderText(status.progress.message, locale) }),
    },
    results: status.result?.results.map((result) => renderResult(result, locale)) ?? null,
    error: status.error,
    createdAt: status.createdOn.toISOString(),
    startedAt: status.startedOn?.toISOString() ?? null,
    finishedAt: status.completedOn?.toISOString() ?? null,
  };
}
