import 'server-only';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes } from '@/db/schema';
import { phrase } from '@/lib/i18n/text';
import type { JobProgress } from '@/lib/jobs/define-job';
import { enqueueJobs } from '@/lib/jobs/enqueue-jobs';
import { archivedJobs, jobs } from '@/lib/jobs/job-table';
import { bulkTestMailboxJob, withWords, type BulkTestMailboxResult } from './bulk-test-mailbox-job';
import type { BulkTestTarget } from './bulk-test-target';
import type { TestStarter } from './run-connection-test';

/** How often the bulk test counts its finished mailboxes, for its progress. */
const FOLLOW_INTERVAL_MS = 500;

/** A profile's mailboxes that can be tested: connected, with incoming or outgoing synchronized server-side. */
export function mailboxesToTest(target: BulkTestTarget): SQL | undefined {
  if (!('profileId' in target)) return inArray(mailboxes.id, target.mailboxIds);
  return and(
    eq(mailboxes.profileId, target.profileId),
    ne(mailboxes.connection, 'not_connected'),
    or(eq(mailboxes.incoming, 'server_side'), eq(mailboxes.outgoing, 'server_side')),
  );
}

/**
 * The job id of one mailbox's test in a bulk test, the same every time: a bulk test taken over
 * from a stopped instance sends its mailboxes again, and pg-boss skips those already sent.
 */
function mailboxJobId(bulkTestId: string, mailboxId: string): string {
  const hex = createHash('sha256').update(`${bulkTestId}/${mailboxId}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FINISHED = sql.raw(`('completed', 'failed', 'cancelled')`);

/** The mailboxes' jobs that have finished, and those that passed, whether pg-boss has archived them yet or not. */
async function countFinished(ids: string[]): Promise<{ finished: number; passed: number }> {
  const countIn = (table: typeof jobs | typeof archivedJobs) =>
    db
      .select({
        finished: sql<number>`count(*) filter (where ${table.state} in ${FINISHED})`.mapWith(Number),
        passed: sql<number>`count(*) filter (where ${table.state} = 'completed' and (${table.output}->'result'->>'ok')::boolean)`.mapWith(Number),
      })
      .from(table)
      .where(and(eq(table.name, bulkTestMailboxJob.name), inArray(table.id, ids)));
  const counts = (await Promise.all([countIn(jobs), countIn(archivedJobs)])).flat();
  return { finished: counts.reduce((sum, count) => sum + count.finished, 0), passed: counts.reduce((sum, count) => sum + count.passed, 0) };
}

async function readFinished(ids: string[]): Promise<Map<string, { state: string; output: unknown }>> {
  const readIn = (table: typeof jobs | typeof archivedJobs) =>
    db
      .select({ id: table.id, state: table.state, output: table.output })
      .from(table)
      .where(and(eq(table.name, bulkTestMailboxJob.name), inArray(table.id, ids), sql`${table.state} in ${FINISHED}`));
  const rows = (await Promise.all([readIn(jobs), readIn(archivedJobs)])).flat();
  return new Map(rows.map(({ id, state, output }) => [id, { state, output }]));
}

/**
 * Tests many mailboxes, activating those that pass: each mailbox is a job of its own that every
 * portal instance works, never with more connections open to a profile's servers than its
 * `maxConcurrentConnections`, counted across instances (see takeProfileConnections). Profiles are
 * tested side by side. Follows them until all have ended; results come in address order, mailboxes
 * deleted meanwhile are left out.
 */
export async function bulkTestMailboxes({
  bulkTestId,
  target,
  startedBy,
  reportProgress,
}: {
  bulkTestId: string;
  target: BulkTestTarget;
  startedBy: TestStarter;
  reportProgress: (progress: JobProgress) => Promise<void>;
}): Promise<BulkTestMailboxResult[]> {
  const toTest = await db
    .select({ id: mailboxes.id, address: mailboxes.address, profileId: mailboxes.profileId })
    .from(mailboxes)
    .where(mailboxesToTest(target))
    .orderBy(asc(mailboxes.address));
  const jobIds = toTest.map((mailbox) => mailboxJobId(bulkTestId, mailbox.id));
  const total = toTest.length;
  const progress = ({ finished, passed }: { finished: number; passed: number }): JobProgress => ({
    done: finished,
    total,
    message: phrase('tester.bulk.progress', { passed, failed: finished - passed }),
  });
  await reportProgress(progress({ finished: 0, passed: 0 }));
  await enqueueJobs(
    bulkTestMailboxJob,
    toTest.map((mailbox, index) => ({ id: jobIds[index]!, payload: { bulkTestId, mailboxId: mailbox.id, startedBy } })),
  );

  let reported = '';
  for (;;) {
    const counts = await countFinished(jobIds);
    if (JSON.stringify(counts) !== reported) {
      reported = JSON.stringify(counts);
      await reportProgress(progress(counts));
    }
    if (counts.finished >= total) break;
    await sleep(FOLLOW_INTERVAL_MS);
  }

  const finished = await readFinished(jobIds);
  return toTest.flatMap((mailbox, index): BulkTestMailboxResult[] => {
    const ended = finished.get(jobIds[index]!);
    const output = ended?.output as { result?: BulkTestMailboxResult | null } | null | undefined;
    if (ended?.state === 'completed') return output?.result ? [output.result] : [];
    // Failed every attempt (its instance stopping each time, or the database failing it).
    return [{ mailboxId: mailbox.id, address: mailbox.address, profileId: mailbox.profileId, ok: false, activated: false, failing: [], ...withWords(phrase('tester.problems.bulkCouldNotRun')), testId: null }];
  });
}
