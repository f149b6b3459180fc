import 'server-only';
import { and, asc, eq, inArray, ne, or, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, serverProfiles } from '@/db/schema';
import type { JobProgress } from '@/lib/jobs/define-job';
import { AppError, englishProblem } from '@/lib/errors';
import { phrase, type Phrase, type PhraseValues } from '@/lib/i18n/text';
import { describeError, logger } from '@/lib/logger';
import { ConnectionBudget, connectionsPerTest } from './bulk-connection-budget';
import type { BulkTestTarget } from './bulk-test-target';
import { runConnectionTestInProcess, type TestStarter } from './run-connection-test';
import type { FailureCode } from '@/lib/mailboxes/status';

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
function withWords(words: Phrase): Pick<BulkTestMailboxResult, 'message' | 'hint' | 'key' | 'values'> {
  const english = englishProblem(words);
  return { message: english.message, hint: english.hint ?? null, ...wordsOf(words) };
}

/** A profile's mailboxes that can be tested: connected, with incoming or outgoing synchronized server-side. */
export function mailboxesToTest(target: BulkTestTarget): SQL | undefined {
  if (!('profileId' in target)) return inArray(mailboxes.id, target.mailboxIds);
  return and(
    eq(mailboxes.profileId, target.profileId),
    ne(mailboxes.connection, 'not_connected'),
    or(eq(mailboxes.incoming, 'server_side'), eq(mailboxes.outgoing, 'server_side')),
  );
}

function selectMailboxesToTest(target: BulkTestTarget) {
  return db
    .select({
      id: mailboxes.id,
      address: mailboxes.address,
      incoming: mailboxes.incoming,
      outgoing: mailboxes.outgoing,
      profileId: serverProfiles.id,
      incomingProtocol: serverProfiles.incomingProtocol,
      maxConcurrentConnections: serverProfiles.maxConcurrentConnections,
    })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(mailboxesToTest(target))
    .orderBy(asc(mailboxes.address));
}

type MailboxToTest = Awaited<ReturnType<typeof selectMailboxesToTest>>[number];

async function testOneMailbox(
  mailbox: MailboxToTest,
  options: { startedBy: TestStarter; trustedCertificates: string[] },
): Promise<BulkTestMailboxResult> {
  const about = { mailboxId: mailbox.id, address: mailbox.address, profileId: mailbox.profileId };
  try {
    const test = await runConnectionTestInProcess({ mailboxId: mailbox.id, ...options });
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
  } catch (error) {
    if (!(error instanceof AppError)) logger.error('bulk test of a mailbox crashed', { mailboxId: mailbox.id, error: describeError(error) });
    const words = error instanceof AppError ? { message: error.message, hint: error.hint ?? null, ...wordsOf(error) } : withWords(phrase('tester.problems.bulkCouldNotRun'));
    return { ...about, ok: false, activated: false, failing: [], ...words, testId: null };
  }
}

/**
 * A test ends before the servers see all of its connections close: the tester says QUIT or LOGOUT
 * and closes the socket 50 ms later if the server has not. Its connections are given back after
 * that, or the next test's could open beside them (seen at the lab: 3 SMTP for 2 tests at once).
 */
const CLOSE_GRACE_MS = 100;

/** Saves the newest progress, one write at a time, skipping snapshots overtaken while a write ran. */
function latestProgressWriter(report: (progress: JobProgress) => Promise<void>) {
  let pending: JobProgress | null = null;
  let writing: Promise<void> | null = null;
  return (progress: JobProgress): Promise<void> => {
    pending = progress;
    writing ??= (async () => {
      while (pending) {
        const next: JobProgress = pending;
        pending = null;
        // A lost progress write only delays the bar: the tests go on.
        await report(next).catch((error: unknown) => logger.warn('bulk test progress not saved', { error: describeError(error) }));
      }
      writing = null;
    })();
    return writing;
  };
}

/**
 * Tests many mailboxes, activating those that pass, with never more connections open to a
 * profile's servers than its `maxConcurrentConnections` (incoming and outgoing counted together):
 * each test first takes what it may open at once from its profile's budget. Profiles are tested
 * side by side. Results come in address order; mailboxes deleted meanwhile are left out.
 */
export async function bulkTestMailboxes({
  target,
  startedBy,
  trustedCertificates,
  reportProgress,
}: {
  target: BulkTestTarget;
  startedBy: TestStarter;
  trustedCertificates: string[];
  reportProgress: (progress: JobProgress) => Promise<void>;
}): Promise<BulkTestMailboxResult[]> {
  const toTest = await selectMailboxesToTest(target);
  const budgets = new Map<string, ConnectionBudget>();
  for (const mailbox of toTest) {
    if (!budgets.has(mailbox.profileId)) budgets.set(mailbox.profileId, new ConnectionBudget(mailbox.maxConcurrentConnections));
  }
  const writeProgress = latestProgressWriter(reportProgress);
  const total = toTest.length;
  let passed = 0;
  let failed = 0;
  const progress = (): JobProgress => ({ done: passed + failed, total, message: phrase('tester.bulk.progress', { passed, failed }) });
  await writeProgress(progress());

  const results = await Promise.all(
    toTest.map(async (mailbox) => {
      const budget = budgets.get(mailbox.profileId)!;
      const taken = await budget.take(connectionsPerTest(mailbox));
      let result: BulkTestMailboxResult | undefined;
      try {
        result = await testOneMailbox(mailbox, { startedBy, trustedCertificates });
      } finally {
        if (result && !result.testId) budget.give(taken);
        else setTimeout(() => budget.give(taken), CLOSE_GRACE_MS);
      }
      if (result.ok) passed += 1;
      else failed += 1;
      void writeProgress(progress());
      return result;
    }),
  );
  await writeProgress(progress());
  return results;
}
