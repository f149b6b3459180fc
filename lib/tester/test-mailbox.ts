import 'server-only';
import type { User } from '@/db/schema';
import { notFound } from '@/lib/errors';
import { getMailbox, type Viewer } from '@/lib/mailboxes/mailboxes';
import { findConnectionTests, getConnectionTest, getLatestConnectionTest, type ConnectionTestResult } from './connection-tests';
import { enqueueConnectionTest } from './connection-test-job';
import { waitForTest } from './run-connection-test';

// The entry points people reach (API, mailbox page): the caller's scope first (an owner reaches
// only its own mailboxes; admins and support all), then the tester. Testing changes nothing but
// the test's own outcome, which is why support staff may run it.

async function requireMailbox(viewer: Viewer, mailboxId: string): Promise<void> {
  if (!(await getMailbox({ viewer, id: mailboxId }))) throw notFound('mailbox');
}

/** The API's Test result shape (the mailbox is already in the path). */
function withoutMailboxId(test: ConnectionTestResult) {
  const { id, ok, activated, startedAt, finishedAt, incoming, outgoing } = test;
  return { id, ok, activated, startedAt, finishedAt, incoming, outgoing };
}

/** Runs (or joins) a test, on whichever instance takes it from the job queue, and waits for its verdict. */
export async function testMailbox({ viewer, mailboxId, sendTestMessage }: { viewer: User; mailboxId: string; sendTestMessage: boolean }) {
  await requireMailbox(viewer, mailboxId);
  const { testId } = await enqueueConnectionTest({ mailboxId, startedBy: viewer, sendTestMessage });
  return withoutMailboxId(await waitForTest({ mailboxId, testId }));
}

/** Starts (or joins) a test and returns its id at once, for a page that follows its steps. */
export async function beginMailboxTest({ viewer, mailboxId, sendTestMessage }: { viewer: User; mailboxId: string; sendTestMessage: boolean }) {
  await requireMailbox(viewer, mailboxId);
  return enqueueConnectionTest({ mailboxId, startedBy: viewer, sendTestMessage });
}

/** One test with the steps recorded so far; without `testId`, the mailbox's newest. */
export async function getMailboxTest({ viewer, mailboxId, testId }: { viewer: Viewer; mailboxId: string; testId?: string }) {
  await requireMailbox(viewer, mailboxId);
  const test = testId ? await getConnectionTest({ mailboxId, testId }) : await getLatestConnectionTest({ mailboxId });
  return test ? withoutMailboxId(test) : null;
}

export async function findMailboxTests({ viewer, mailboxId, limit, cursor }: { viewer: Viewer; mailboxId: string; limit: number; cursor?: string }) {
  await requireMailbox(viewer, mailboxId);
  const page = await findConnectionTests({ mailboxId, limit, cursor });
  return { data: page.data.map(withoutMailboxId), nextCursor: page.nextCursor };
}
