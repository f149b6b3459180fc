// Issue 19, parts 2 and 5: business systems send through active mailboxes (acceptance 1, 2, 3, 5).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, db } from '@/db';
import { mailboxes, oauthGrants, outboxMessages, type ServerProfile, type User } from '@/db/schema';
import { POST as sendRoute } from '@/app/api/v1/mailboxes/[id]/messages/route';
import { GET as outboxRoute } from '@/app/api/v1/mailboxes/[id]/messages/outbox/[messageId]/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { createApiKey } from '@/lib/auth/api-keys';
import { getEnv } from '@/lib/env';
import { renderProblem } from '@/lib/errors';
import { stopJobQueue } from '@/lib/jobs/job-queue';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { enqueueOutboxSend, sendOutboxMessageJob } from '@/lib/outbox/outbox-jobs';
import { sendOutboxMessage } from '@/lib/outbox/send-outbox-message';
import { sweepOutbox } from '@/lib/outbox/sweep-outbox';
import { createUser } from '@/lib/users/users';
import { oauthCallbackUrl } from '@/lib/oauth/oauth-app';
import { classifyFailure } from '@/lib/tester/classify-failure';
import { SMTP_AUTH_DISABLED_REPLY } from '../../scripts/lab/provider-replies';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { insertMailboxRow, userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable, waitForReceivedMail, type MailPorts } from '../helpers/lab';
import {
  connectLabMailbox,
  createLabAccount,
  insertLabGenericProfile,
  insertLabGmailApiProfile,
  insertLabGoogleProfile,
  insertLabGraphProfile,
  insertLabMicrosoftProfile,
} from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';
import { waitUntil } from '../helpers/wait-until';

const run = Math.random().toString(36).slice(2, 8);
const LIMIT = 3;
const CONCURRENT = 50;
const logs = captureLogs();
const answers: string[] = [];
const ATTACHMENT = Buffer.from(`%PDF-1.4 lab attachment ${run}`);
const BODY = `Body text ${run}: never in a log.`;

type Person = { user: User; key: string };
let admin: Person;
let owner: Person;
let otherOwner: Person;
let support: Person;
/** The business system that sends, limited to the two profiles it sends through. */
let crm: Person;
let caFile: string;
let ports: MailPorts;
let clientId: string;
let gmail: ServerProfile;
let gmailAddress: string;
let gmailBox: string;
let passwordAddress: string;
let passwordBox: string;
let password: string;

async function send(key: string, mailboxId: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await callRoute(sendRoute, { method: 'POST', path: `/api/v1/mailboxes/${mailboxId}/messages`, key, body, params: { id: mailboxId }, headers });
  answers.push(response.text);
  return response;
}

async function outbox(key: string, mailboxId: string, messageId: string) {
  const response = await callRoute(outboxRoute, { path: `/api/v1/mailboxes/${mailboxId}/messages/outbox/${messageId}`, key, params: { id: mailboxId, messageId } });
  answers.push(response.text);
  return response;
}

const settled = (mailboxId: string, messageId: string) =>
  waitUntil(`message ${messageId} sent or failed`, async () => {
    const { json } = await outbox(admin.key, mailboxId, messageId);
    return json.status === 'sent' || json.status === 'failed' ? json : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200 });

const copiesOf = async (to: string, subject: string) => (await labControl.receivedMessages({ to })).filter((message) => message.subject === subject);

/** What the tester's test and activate would leave: active, both directions passed. */
const activate = (mailboxId: string) =>
  db.update(mailboxes).set({ status: 'active', incomingStatus: 'success', outgoingStatus: 'success', statusReason: null }).where(eq(mailboxes.id, mailboxId));

async function passwordMailbox(profile: ServerProfile): Promise<{ address: string; id: string; password: string }> {
  const address = `desk-${run}-${Math.random().toString(36).slice(2, 6)}@imap.lab.test`;
  const secret = `pw-${Math.random().toString(36).slice(2)}`;
  await labControl.createAccount({ email: address, provider: 'password', password: secret });
  const mailbox = await createMailbox({ actor: COMMAND_LINE_ACTOR, input: { address, ownerId: owner.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false } });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  await setMailboxPassword({ viewer: owner.user, mailboxId: mailbox.id, password: secret });
  await activate(mailbox.id);
  return { address, id: mailbox.id, password: secret };
}

describe.skipIf(!labIsAvailable)(`sending through a mailbox on ${databaseKind()}`, () => {
  beforeAll(async () => {
    [admin, owner, otherOwner, support] = await Promise.all([
      userWithKey(`admin-${run}@example.org`, 'admin'),
      userWithKey(`owner-${run}@example.org`, 'owner'),
      userWithKey(`other-${run}@example.org`, 'owner'),
      userWithKey(`support-${run}@example.org`, 'support'),
    ]);
    // The lab's CA reaches the portal the way an operator's does: through MAILROOM_EXTRA_CA_FILE.
    caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    // A client and ports of this file's own, so that the lab counts its token requests and connections alone.
    const client = await labControl.registerClient({ persona: 'google', redirectUris: [oauthCallbackUrl()], confidential: true });
    clientId = client.clientId;
    ports = await labControl.openMailPorts({ server: 'gmail' });
    gmail = await insertLabGoogleProfile({
      client,
      name: `Lab Gmail (send ${run})`,
      outgoingHost: ports.smtp.tls.host,
      outgoingPort: ports.smtp.tls.port,
      maxConcurrentConnections: LIMIT,
      sendRatePerMinute: 1000,
      connectionTimeoutSeconds: 10,
    });
    gmailAddress = await createLabAccount({ provider: 'google', name: 'crm' });
    gmailBox = await connectLabMailbox({ owner: owner.user, address: gmailAddress, profile: gmail });
    await activate(gmailBox);
    const generic = await insertLabGenericProfile();
    ({ address: passwordAddress, id: passwordBox, password } = await passwordMailbox(generic));
    const service = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `crm-${run}@example.org`, name: 'CRM', role: 'service', profileIds: [gmail.id, generic.id] } });
    crm = { user: service, key: (await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: service.id })).key };
    await startJobWorkers([sendOutboxMessageJob]);
  });

  afterAll(async () => {
    await stopJobQueue();
  });

  it('a service key sends a message with an attachment through a Gmail mailbox (XOAUTH2) and a password mailbox, from their addresses', async () => {
    const since = new Date();
    for (const [mailboxId, from] of [[gmailBox, gmailAddress], [passwordBox, passwordAddress]] as const) {
      const subject = `Invoice ${run} from ${from}`;
      const queued = await send(crm.key, mailboxId, {
        to: { address: `customer-${run}@example.org`, name: 'A Customer' },
        bcc: [`archive-${run}@example.org`],
        subject,
        text: BODY,
        html: `<p>${BODY}</p>`,
        attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', contentBase64: ATTACHMENT.toString('base64') }],
        headers: { 'X-Crm-Id': `crm-${run}`, References: '<thread@example.org>' },
      });
      expect(queued.status, queued.text).toBe(202);
      expect(queued.json).toEqual({ messageId: expect.any(String), status: 'queued' });

      const outcome = await settled(mailboxId, queued.json.messageId);
      expect((await outbox(crm.key, mailboxId, queued.json.messageId)).json).toMatchObject({ status: 'sent' });
      expect(outcome).toMatchObject({ status: 'sent', attempts: 1, serverResponse: expect.stringMatching(/^250/), error: null });
      const received = await waitForReceivedMail({ to: `customer-${run}@example.org`, subject, since });
      expect(received.envelopeFrom).toBe(from);
      expect(received.envelopeTo.sort()).toEqual([`archive-${run}@example.org`, `customer-${run}@example.org`]);
      expect(received.raw).toMatch(new RegExp(`^From: ${from.replace(/[.]/g, '\\.')}\\r?$`, 'm'));
      expect(received.raw).toContain(`Message-ID: ${outcome.messageIdHeader}`);
      expect(received.raw).toMatch(/^X-Crm-Id: crm-/im);
      expect(received.raw).not.toMatch(/^Bcc:/im);
      expect(received.raw).toMatch(/Content-Type: application\/pdf; name=invoice\.pdf/);
      expect(received.raw.replace(/\r?\n/g, '')).toContain(ATTACHMENT.toString('base64'));
    }
  });

  it('sends through the Gmail API and Microsoft Graph with the token service’s access token', async () => {
    const since = new Date();
    const profiles = [await insertLabGmailApiProfile(), await insertLabGraphProfile()];
    for (const [index, profile] of profiles.entries()) {
      const address = await createLabAccount({ provider: index === 0 ? 'google' : 'microsoft', name: 'api' });
      const mailboxId = await connectLabMailbox({ owner: owner.user, address, profile });
      await activate(mailboxId);
      const subject = `Through ${profile.outgoingProtocol} ${run}`;
      const attachments = [{ filename: 'note.txt', contentType: 'text/plain', contentBase64: ATTACHMENT.toString('base64') }];
      // The business system is limited to other profiles: this mailbox is not found for it, and nothing is queued.
      expect((await send(crm.key, mailboxId, { to: `api-${run}@example.org`, subject, text: BODY })).status).toBe(404);
      const queued = await send(admin.key, mailboxId, { to: `api-${run}@example.org`, subject, text: BODY, attachments });
      expect(await settled(mailboxId, queued.json.messageId)).toMatchObject({ status: 'sent', attempts: 1, error: null });
      const received = await waitForReceivedMail({ to: `api-${run}@example.org`, subject, since });
      expect(received.envelopeFrom).toBe(address);
      // The lab's Graph builds its own message from the JSON and leaves attachments out; the Gmail API sends the portal's.
      if (profile.outgoingProtocol === 'gmail_api') expect(received.raw.replace(/\r?\n/g, '')).toContain(ATTACHMENT.toString('base64'));
    }
  });

  it('refuses bad input with 422 naming the field, queuing nothing; other owners, support and inactive mailboxes are refused', async () => {
    const count = async () => (await db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.mailboxId, passwordBox))).length;
    const before = await count();
    const valid = { to: `someone-${run}@example.org`, subject: 'Hello', text: 'Hi' };
    const cases: [body: unknown, field: string, headers?: Record<string, string>][] = [
      [{ ...valid, cc: ['not-an-address'] }, 'cc.0'],
      [{ ...valid, to: [{ address: `x-${run}@example.org`, name: 'Evil\r\nBcc: victim@example.org' }] }, 'to.0.name'],
      [{ ...valid, subject: 'Hi\r\nBcc: victim@example.org' }, 'subject'],
      [{ ...valid, headers: { 'X-Tag': 'a\nb' } }, 'headers.X-Tag'],
      [{ ...valid, headers: { Bcc: 'victim@example.org' } }, 'headers.Bcc'],
      [{ ...valid, text: 'x'.repeat(1_000_001) }, 'text'],
      [{ to: valid.to, subject: 'No body' }, 'text'],
      [{ ...valid, attachments: [{ filename: 'a.bin', contentBase64: 'not base64!' }] }, 'attachments.0.contentBase64'],
      [{ ...valid, attachments: [{ filename: 'a.bin', content: 'cafe', encoding: 'hex' }] }, 'attachments.0.encoding'],
      [{ ...valid, attachments: [{ filename: 'big.bin', contentBase64: Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64') }] }, 'attachments'],
      [valid, 'Idempotency-Key', { 'idempotency-key': 'has spaces in it' }],
    ];
    for (const [body, field, headers] of cases) {
      const refused = await send(admin.key, passwordBox, body, headers);
      expect(refused.status, field).toBe(422);
      expect(Object.keys(refused.json.error.fields), field).toContain(field);
    }
    expect(await count()).toBe(before);

    expect((await send(otherOwner.key, passwordBox, valid)).status).toBe(404);
    expect((await send(support.key, passwordBox, valid)).status).toBe(403);
    const inactive = await insertMailboxRow(owner.user, gmail, { status: 'failing', statusReason: { code: 'auth_failed', message: 'The password was refused.', hint: '', at: new Date().toISOString() } });
    const conflict = await send(admin.key, inactive.id, valid);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.message).toBe(`${inactive.address} sends nothing now: it is failing (The password was refused.).`);
    expect(conflict.json.error.hint).toMatch(/^Next step: Failing: test again once fixed\./);

    // The owner sends through their own mailbox; support reads where it stands.
    const own = await send(owner.key, passwordBox, { ...valid, subject: `Owner's own ${run}` });
    expect(own.status).toBe(202);
    expect((await outbox(support.key, passwordBox, own.json.messageId)).status).toBe(200);
    expect((await outbox(otherOwner.key, passwordBox, own.json.messageId)).status).toBe(404);
    expect((await outbox(admin.key, gmailBox, own.json.messageId)).status).toBe(404);
    await settled(passwordBox, own.json.messageId);
  });

  it(`sends once per Idempotency-Key, and ${CONCURRENT} sends at once refresh the token once within ${LIMIT} connections`, async () => {
    const since = new Date();
    const message = { to: `once-${run}@example.org`, subject: `Once ${run}`, text: BODY };
    const key = `order-${run}`;
    const [first, second] = [await send(admin.key, gmailBox, message, { 'idempotency-key': key }), await send(admin.key, gmailBox, message, { 'idempotency-key': key })];
    expect(first.status).toBe(202);
    expect(second.json).toEqual(first.json);
    const reused = await send(admin.key, gmailBox, { ...message, subject: 'Another message' }, { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    await settled(gmailBox, first.json.messageId);
    await waitForReceivedMail({ to: message.to, subject: message.subject, since });

    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.mailboxId, gmailBox));
    await labControl.resetCounters({ clientId });
    await labControl.resetCounters({ portsId: ports.id });
    const queued = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, index) => send(admin.key, gmailBox, { to: `bulk-${run}@example.org`, subject: `Bulk ${index} ${run}`, text: BODY })),
    );
    expect(queued.map((response) => response.status)).toEqual(Array(CONCURRENT).fill(202));
    const ids = queued.map((response) => response.json.messageId as string);
    const rows = await waitUntil(`${CONCURRENT} messages settled`, async () => {
      const found = await db.select({ status: outboxMessages.status, attempts: outboxMessages.attempts }).from(outboxMessages).where(inArray(outboxMessages.id, ids));
      return found.every((row) => row.status === 'sent' || row.status === 'failed') ? found : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    expect(rows.map((row) => `${row.status} ${row.attempts}`)).toEqual(Array(CONCURRENT).fill('sent 1'));

    expect((await labControl.tokenRequests({ clientId })).google).toMatchObject({ authorization_code: 0, refresh_token: 1 });
    const { smtp } = (await labControl.connectionStats({ portsId: ports.id })).gmail;
    expect(smtp.maxOpen).toBeLessThanOrEqual(LIMIT);
    expect(smtp.total).toBe(CONCURRENT);
    expect(smtp.open).toBe(0);
    const received = await waitUntil('every bulk message in the sink', async () => {
      const all = (await labControl.receivedMessages({ to: `bulk-${run}@example.org` })).map((mail) => mail.subject);
      return all.length >= CONCURRENT ? all : undefined;
    });
    expect(received.sort()).toEqual(Array.from({ length: CONCURRENT }, (_, index) => `Bulk ${index} ${run}`).sort());
    expect(await copiesOf(message.to, message.subject)).toHaveLength(1);
  }, 180_000);

  it('retries a temporary refusal and sends once; a permanent one (5.7.139) fails with the tester’s class and hint', async () => {
    const subject = `Deferred ${run}`;
    await labControl.setSmtpFault({ account: gmailAddress, fault: 'defer' });
    const deferred = await send(admin.key, gmailBox, { to: `later-${run}@example.org`, subject, text: BODY });
    const outcome = await settled(gmailBox, deferred.json.messageId);
    expect(outcome).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(await waitUntil('the deferred message', async () => ((await copiesOf(`later-${run}@example.org`, subject)).length > 0 ? true : undefined))).toBe(true);
    expect(await copiesOf(`later-${run}@example.org`, subject)).toHaveLength(1);

    const microsoftAddress = await createLabAccount({ provider: 'microsoft', name: 'erp' });
    const microsoft = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 (send ${run})` });
    const microsoftBox = await connectLabMailbox({ owner: owner.user, address: microsoftAddress, profile: microsoft });
    await activate(microsoftBox);
    await labControl.setSmtpAuthDisabled({ account: microsoftAddress, disabled: true });
    const refused = await send(admin.key, microsoftBox, { to: `never-${run}@example.org`, subject: `Refused ${run}`, text: BODY });
    const failed = await settled(microsoftBox, refused.json.messageId);
    await labControl.setSmtpAuthDisabled({ account: microsoftAddress, disabled: false });
    const { mail } = getLab();
    const tester = renderProblem(
      classifyFailure({
        stage: 'auth',
        protocol: 'smtp',
        serverType: 'microsoft365',
        authKind: 'oauth',
        server: `${mail.microsoft.smtp.starttls.host}:${mail.microsoft.smtp.starttls.port}`,
        reply: SMTP_AUTH_DISABLED_REPLY,
      }),
      'en',
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'smtp_auth_disabled', hint: tester.hint } });
    expect(await copiesOf(`never-${run}@example.org`, `Refused ${run}`)).toHaveLength(0);
  }, 60_000);

  it('keeps messages queued while their mailbox does not send, then sends them once it does or fails them when they expire', async () => {
    await stopJobQueue();
    const subjects = [`Waiting ${run}`, `Expiring ${run}`];
    const [waiting, expiring] = await Promise.all(subjects.map((subject) => send(admin.key, passwordBox, { to: `wait-${run}@example.org`, subject, text: BODY })));
    await db
      .update(mailboxes)
      .set({ status: 'failing', statusReason: { code: 'auth_failed', message: 'The password was refused.', hint: '', at: new Date().toISOString() } })
      .where(eq(mailboxes.id, passwordBox));
    // The job of a message whose mailbox fails leaves it queued; the sweep wakes none of them.
    for (const { json } of [waiting!, expiring!]) await sendOutboxMessage({ messageId: json.messageId, requeue: async () => {} });
    expect((await sweepOutbox({ enqueue: enqueueOutboxSend })).woken).toBe(0);
    expect((await outbox(admin.key, passwordBox, waiting!.json.messageId)).json).toMatchObject({ status: 'queued', attempts: 0, error: null });

    await db.update(outboxMessages).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(outboxMessages.id, expiring!.json.messageId));
    await sweepOutbox({ enqueue: enqueueOutboxSend });
    expect((await outbox(admin.key, passwordBox, expiring!.json.messageId)).json).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { code: 'mailbox_not_active', message: `Not sent within 24 hours: ${passwordAddress} did not send meanwhile, as it is failing (The password was refused.).` },
    });

    await activate(passwordBox);
    await startJobWorkers([sendOutboxMessageJob]);
    await sweepOutbox({ enqueue: enqueueOutboxSend });
    expect(await settled(passwordBox, waiting!.json.messageId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await copiesOf(`wait-${run}@example.org`, subjects[1]!)).toHaveLength(0);
  }, 60_000);

  // PGlite serves one process: a second instance needs PostgreSQL.
  it.skipIf(databaseKind() === 'pglite')('an instance killed mid-send: a message it was handing over fails as unknown (sent once), one it had not reached is sent by another', async () => {
    await stopJobQueue();
    const secondAddress = await createLabAccount({ provider: 'google', name: 'school' });
    const secondBox = await connectLabMailbox({ owner: owner.user, address: secondAddress, profile: gmail });
    await activate(secondBox);
    const worker: ChildProcess = spawn(path.resolve('node_modules/.bin/tsx'), ['--conditions=react-server', 'tests/helpers/outbox-worker.ts'], {
      env: { ...process.env, MAILROOM_EXTRA_CA_FILE: caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    let ids: [handedOver: string, notReached: string] = ['', ''];
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        worker.once('exit', (code) => reject(new Error(`The second instance ended early (${code})`)));
      });
      await labControl.setSmtpFault({ account: gmailAddress, fault: 'withhold_reply' });
      await labControl.setSmtpFault({ account: secondAddress, fault: 'stall' });
      const handedOver = await send(admin.key, gmailBox, { to: `kill-${run}@example.org`, subject: `Handed over ${run}`, text: BODY });
      const notReached = await send(admin.key, secondBox, { to: `kill-${run}@example.org`, subject: `Not reached ${run}`, text: BODY });
      ids = [handedOver.json.messageId, notReached.json.messageId];
      await waitUntil('both messages mid-send at the second instance, the first one in the sink', async () => {
        const rows = await db.select().from(outboxMessages).where(inArray(outboxMessages.id, ids));
        const [first, second] = ids.map((id) => rows.find((row) => row.id === id)!);
        const inSink = (await copiesOf(`kill-${run}@example.org`, `Handed over ${run}`)).length === 1;
        return first!.status === 'sending' && first!.handoffStartedAt && second!.status === 'sending' && inSink ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 50 });
      worker.kill('SIGKILL');
      await exited;
    } finally {
      worker.kill('SIGKILL');
      await labControl.setSmtpFault({ account: gmailAddress, fault: null });
      await labControl.setSmtpFault({ account: secondAddress, fault: null });
    }

    await startJobWorkers([sendOutboxMessageJob]);
    // The sweep runs every minute in a portal; here until the dead instance's leases have run out.
    await waitUntil('the dead instance’s leases to run out', async () => {
      await sweepOutbox({ enqueue: enqueueOutboxSend });
      const rows = await db.select({ status: outboxMessages.status }).from(outboxMessages).where(inArray(outboxMessages.id, ids));
      return rows.every((row) => row.status !== 'sending') ? true : undefined;
    }, { timeoutMs: 40_000, intervalMs: 1_000 });
    expect(await settled(gmailBox, ids[0])).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'delivery_unknown' } });
    expect(await settled(secondBox, ids[1])).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(await copiesOf(`kill-${run}@example.org`, `Handed over ${run}`)).toHaveLength(1);
    expect(await copiesOf(`kill-${run}@example.org`, `Not reached ${run}`)).toHaveLength(1);
  }, 120_000);

  it('never logs or answers a token, a password or a message body', async () => {
    const [grant] = await db.select().from(oauthGrants).where(and(eq(oauthGrants.mailboxId, gmailBox)));
    const secrets = [openGrantToken(grant!, 'accessToken'), openGrantToken(grant!, 'refreshToken'), password];
    for (const text of [logs.text(), answers.join('\n')]) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(logs.text()).not.toContain(BODY);
  });
});
