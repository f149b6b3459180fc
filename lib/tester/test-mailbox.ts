import 'server-only';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { User } from '@/db/schema';
import { getEnv } from '@/lib/env';
import { notFound } from '@/lib/errors';
import { getMailbox, type Viewer } from '@/lib/mailboxes/mailboxes';
import { findConnectionTests, getConnectionTest, getLatestConnectionTest, type ConnectionTestResult } from './connection-tests';
import { beginConnectionTest, runConnectionTest } from './run-connection-test';

// The entry points people reach (API, mailbox page): the caller's scope first (an owner reaches
// only its own mailboxes; admins and support all), then the tester. Testing changes nothing but
// the test's own outcome, which is why support staff may run it.

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let extraCertificates: Promise<string[]> | undefined;

async function readCertificateFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`MAILROOM_EXTRA_CA_FILE: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new Error(`MAILROOM_EXTRA_CA_FILE: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const [index, certificate] of certificates.entries()) {
    try {
      new X509Certificate(certificate);
    } catch {
      throw new Error(`MAILROOM_EXTRA_CA_FILE: certificate ${index + 1} of ${file} is not a valid X.509 certificate`);
    }
  }
  return certificates;
}

/**
 * The certificates of MAILROOM_EXTRA_CA_FILE, read once per process (a file that cannot be read is
 * tried again next time). Only these are passed: wherever the tester sets `ca`, which replaces
 * Node's store, it puts them after `tls.rootCertificates` itself.
 */
export function getTrustedCertificates(): Promise<string[]> {
  const file = getEnv().MAILROOM_EXTRA_CA_FILE;
  if (!file) return Promise.resolve([]);
  if (!extraCertificates) {
    const reading = readCertificateFile(file);
    extraCertificates = reading;
    reading.catch(() => {
      if (extraCertificates === reading) extraCertificates = undefined;
    });
  }
  return extraCertificates;
}

async function requireMailbox(viewer: Viewer, mailboxId: string): Promise<void> {
  if (!(await getMailbox({ viewer, id: mailboxId }))) throw notFound('The mailbox');
}

/** The API's Test result shape (the mailbox is already in the path). */
function withoutMailboxId(test: ConnectionTestResult) {
  const { id, ok, activated, startedAt, finishedAt, incoming, outgoing } = test;
  return { id, ok, activated, startedAt, finishedAt, incoming, outgoing };
}

/** Runs (or joins) a test and waits for its verdict. */
export async function testMailbox({ viewer, mailboxId, sendTestMessage }: { viewer: User; mailboxId: string; sendTestMessage: boolean }) {
  await requireMailbox(viewer, mailboxId);
  const trustedCertificates = await getTrustedCertificates();
  return withoutMailboxId(await runConnectionTest({ mailboxId, startedBy: viewer, sendTestMessage, trustedCertificates }));
}

/** Starts (or joins) a test and returns its id at once, for a page that follows its steps. */
export async function beginMailboxTest({ viewer, mailboxId, sendTestMessage }: { viewer: User; mailboxId: string; sendTestMessage: boolean }) {
  await requireMailbox(viewer, mailboxId);
  return beginConnectionTest({ mailboxId, startedBy: viewer, sendTestMessage, trustedCertificates: await getTrustedCertificates() });
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
