/**
 * Time of one connection test (both directions at once, every step recorded, the verdict written)
 * against bare imapflow and nodemailer logins on the same lab server, also both at once. Starts
 * the mail lab in this process and a database of its own (PGlite; PostgreSQL with DATABASE_URL).
 * Prints medians; asserts nothing.
 *   npm run bench:connection-test   (BENCH_RUNS=20 by default)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { Lab } from '../scripts/lab/start-lab';
import { measure as measureRuns, openBenchDatabase } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const lab = await Lab.start();
const { mail, caCertificate, accounts } = lab.info;
const account = accounts.find((candidate) => candidate.provider === 'password' && candidate.password);
if (!account?.password) throw new Error('The lab has no password account');
const { imap, smtp } = mail.generic;

const database = await openBenchDatabase();
const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-bench-')), 'lab-ca.pem');
writeFileSync(caFile, caCertificate);
// The lab's CA reaches the tester as an operator's would.
Object.assign(process.env, { MAILROOM_EXTRA_CA_FILE: caFile });

const { closeDatabase, databaseKind, db } = await import('@/db');
const { serverProfiles } = await import('@/db/schema');
const { migrateDatabase } = await import('@/db/migrate');
const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
const { applyMailboxEvent, createMailbox } = await import('@/lib/mailboxes/mailboxes');
const { setMailboxPassword } = await import('@/lib/mailboxes/set-mailbox-password');
const { runConnectionTestInProcess } = await import('@/lib/tester/run-connection-test');
const { getTrustedCertificates } = await import('@/lib/tester/trusted-context');
const { createUser } = await import('@/lib/users/users');

const tls = { ca: [caCertificate] };
const auth = { user: account.email, pass: account.password };

async function bareImapLogin(): Promise<void> {
  const client = new ImapFlow({ host: imap.tls.host, port: imap.tls.port, secure: true, auth, tls, logger: false, disableAutoIdle: true });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    await client.logout();
  } finally {
    client.close();
  }
}

async function bareSmtpVerify(): Promise<void> {
  const transport = nodemailer.createTransport({ host: smtp.starttls.host, port: smtp.starttls.port, secure: false, requireTLS: true, auth, tls });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}


const measure = (name: string, run: () => Promise<unknown>) => measureRuns(name, run, { runs: RUNS, width: 58 });

try {
  await migrateDatabase();
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'bench-owner@example.org', role: 'owner' } });
  const [profile] = await db
    .insert(serverProfiles)
    .values({
      name: 'Lab generic (bench)',
      serverType: 'custom',
      authType: 'password',
      scopes: [],
      incomingProtocol: 'imap',
      incomingHost: imap.tls.host,
      incomingPort: imap.tls.port,
      incomingSecurity: 'tls',
      outgoingHost: smtp.starttls.host,
      outgoingPort: smtp.starttls.port,
      outgoingSecurity: 'starttls',
      internalServer: true,
    })
    .returning();
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address: account.email, ownerId: owner.id, profileId: profile!.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  await setMailboxPassword({ viewer: owner, mailboxId: mailbox.id, password: account.password });
  const trustedCertificates = await getTrustedCertificates();

  console.log(`${databaseKind()}, ${RUNS} runs each, ${account.email} on the lab's generic server (IMAP TLS, SMTP STARTTLS)\n`);
  const tester = await measure('tester: one full test (both directions, steps, verdict)', async () => {
    const test = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: null, trustedCertificates });
    if (!test.ok) throw new Error(`The test failed: ${JSON.stringify([test.incoming.error, test.outgoing.error])}`);
  });
  const bare = await measure('bare: imapflow login + INBOX and nodemailer verify, at once', () => Promise.all([bareImapLogin(), bareSmtpVerify()]));
  await measure('bare: imapflow login + INBOX alone', bareImapLogin);
  await measure('bare: nodemailer verify (STARTTLS + AUTH) alone', bareSmtpVerify);
  console.log(`\ntester / bare at once: ${(tester / bare).toFixed(2)}×`);
} finally {
  await closeDatabase();
  await database.drop();
  await lab.stop();
}
