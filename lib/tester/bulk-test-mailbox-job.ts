import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { db } from '@/db';
import { connectionTests, mailboxes, serverProfiles, type DirectionResult } from '@/db/schema';
import { AppError, englishProblem, problemOf } from '@/lib/errors';
import { phrase, type Phrase, type PhraseValues } from '@/lib/i18n/text';
import { defineJob, type JobContext } from '@/lib/jobs/define-job';
import { describeError, logger } from '@/lib/logger';
import type { FailureCode } from '@/lib/mailboxes/status';
import { takeProfileConnections } from './bulk-connection-budget';
import type { ConnectionTestResult } from './connection-tests';
import { createOrJoinConnectionTest, runStartedConnectionTest, waitForTest, type TestStarter } from './run-connection-test';
import { getTrustedCertificates } from './trusted-context';
import type { TestFailure } from './types';

export type BulkTestMailboxResult = {
  mailboxId: string;
  address: string;
  profileId: string;
  ok: boolean;
  activated: boolean;
  /** The failure classes of the directions that failed; none when the test could not start. */
  failing: FailureCode[];
  /** Why it failed or was not activated, in words a person can act on; null when it passed and was activated. */
  message: string | null;
  /** What to do about it, when the portal knows. */
  hint: string | null;
  /** The messages' group holding `message` and `hint` in every language, and its values (results of older versions have none). */
  key?: string;
  values?: PhraseValues;
  /** The recorded test, with its steps; null when the test could not start. */
  testId: string | null;
};

const wordsOf = ({ key, values }: { key?: string; values?: PhraseValues }) => (key ? { key, ...(values ? { values } : {}) } : {});

/** A result's words from a phrase: English for older readers, the key for everyone else. */
export function withWords(words: Phrase): Pick<BulkTestMailboxResult, 'message' | 'hint' | 'key' | 'values'> {
  const english = englishProblem(words);
  return { message: english.message, hint: english.hint ?? null, ...wordsOf(words) };
}

/** Tests of one bulk test that one portal instance runs at once, whatever their profiles allow. */
const TESTS_PER_INSTANCE = 10;

/** What an attempt saves once its test has started: the instance taking it over closes that test. */
const checkpointSchema = z.object({ testId: z.uuid() });

/**
 * Closes as interrupted a test whose instance stopped while it ran, so that the mailbox's next test
 * starts anew instead of joining it. It had no verdict: the mailbox's state is left as it was.
 */
async function closeInterruptedTest(testId: string): Promise<void> {
  const problem = problemOf('unknown', phrase('tester.problems.interrupted'));
  const interrupted: DirectionResult = { status: 'failure', error: { ...problem, code: 'unknown', hint: problem.hint ?? '' } satisfies TestFailure };
  const [test] = await db.select().from(connectionTests).where(and(eq(connectionTests.id, testId), isNull(connectionTests.ok)));
  if (!test) return;
  const closed = (result: DirectionResult) => (result.status === 'running' ? interrupted : result);
  await db
    .update(connectionTests)
    .set({ ok: false, finishedAt: new Date(), incoming: closed(test.incoming), outgoing: closed(test.outgoing) })
    .where(and(eq(connectionTests.id, testId), isNull(connectionTests.ok)));
}

function resultOf(about: Pick<BulkTestMailboxResult, 'mailboxId' | 'address' | 'profileId'>, test: ConnectionTestResult): BulkTestMailboxResult {
  const errors = [test.incoming.error, test.outgoing.error].filter((error) => error !== null);
  const ok = test.ok === true;
  const first = errors[0];
  const words = first ? { message: first.message, hint: first.hint, ...wordsOf(first) } : ok && !test.activated ? withWords(phrase('tester.problems.bulkNotActivated')) : { message: null, hint: null };
  return {
    ...about,
    ok,
    activated: test.activated,
    // Stored as text; the tester records only its own failure classes.
    failing: errors.map((error) => error.code as FailureCode),
    ...words,
    testId: test.id,
  };
}

type MailboxTestOptions = { mailboxId: string; startedBy: TestStarter };

/**
 * One mailbox of a bulk test, on whichever instance takes it: waits for its connections from the
 * profile's budget, tests it, activating it when it passes. Null when the mailbox no longer exists.
 */
async function testMailboxOfBulkTest({ mailboxId, startedBy }: MailboxTestOptions, context: JobContext): Promise<BulkTestMailboxResult | null> {
  const interrupted = checkpointSchema.safeParse(context.checkpoint);
  if (interrupted.success) await closeInterruptedTest(interrupted.data.testId);
  const [row] = await db
    .select({ mailbox: mailboxes, profile: serverProfiles })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(eq(mailboxes.id, mailboxId));
  if (!row) return null;
  const about = { mailboxId, address: row.mailbox.address, profileId: row.profile.id };
  const connections = await takeProfileConnections(context, row);
  try {
    const { test, joined } = await createOrJoinConnectionTest({ mailboxId, startedBy });
    await context.saveCheckpoint({ testId: test.id });
    // A test's checks end once the servers have closed its connections (see closeGently): given back then, they are free.
    if (!joined) await runStartedConnectionTest(test, { startedBy, sendTestMessage: false, trustedCertificates: await getTrustedCertificates() });
    return resultOf(about, await waitForTest({ mailboxId, testId: test.id }));
  } catch (error) {
    if (!(error instanceof AppError)) logger.error('bulk test of a mailbox crashed', { mailboxId, error: describeError(error) });
    const words = error instanceof AppError ? { message: error.message, hint: error.hint ?? null, ...wordsOf(error) } : withWords(phrase('tester.problems.bulkCouldNotRun'));
    return { ...about, ok: false, activated: false, failing: [], ...words, testId: null };
  } finally {
    await connections.release();
  }
}

export const bulkTestMailboxPayload = z.object({
  /** The bulk test's job id. */
  bulkTestId: z.uuid(),
  mailboxId: z.uuid(),
  /** Who asked, recorded as the actor of the test; null for the system. */
  startedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
});

/**
 * One mailbox of a bulk test (see bulkTestMailboxes), worked by every portal instance. Resumable:
 * when its instance stops midway, another closes the cut test and tests the mailbox again.
 */
export const bulkTestMailboxJob = defineJob({
  name: 'tester.bulk-test-mailbox',
  payload: bulkTestMailboxPayload,
  handle: (payload, context) => testMailboxOfBulkTest(payload, context),
  // Waiting for the profile's connections counts as running: the expiry leaves room for a long queue.
  options: { resumable: true, retryLimit: 3, concurrency: TESTS_PER_INSTANCE, expireInSeconds: 6 * 60 * 60 },
});
