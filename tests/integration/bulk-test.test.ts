// Issue 7, acceptance 4: a bulk test of 200 lab mailboxes as a job, per-mailbox results, and never
// more connections at the lab's servers than the profile allows.
import { randomBytes, randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db, databaseKind } from '@/db';
import { mailboxes, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { IDLE } from '@/lib/auth/form-action-state';
import { getEnv } from '@/lib/env';
import { FINISHED_JOB_STATES } from '@/lib/jobs/get-job-status';
import { stopJobQueue } from '@/lib/jobs/job-queue';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { createMailbox } from '@/lib/mailboxes/mailboxes';
import { testerJobs } from '@/lib/tester/bulk-test-job';
import { getBulkTest, startBulkTest, type BulkTestStatus } from '@/lib/tester/bulk-tests';
import { createUser } from '@/lib/users/users';
import { bulkTestMailboxesAction } from '@/app/(portal)/mailboxes/actions';
import { POST as startBulkTestRoute } from '@/app/api/v1/mailboxes/bulk-test/route';
import { GET as getBulkTestRoute } from '@/app/api/v1/mailboxes/bulk-test/[id]/route';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';
import { labControl, labIsAvailable, type MailPorts } from '../helpers/lab';
import { connectedPasswordMailboxes as createConnected, labPasswordProfile, writeLabCaFile } from '../helpers/lab-mailboxes';
import { waitUntil } from '../helpers/wait-until';

// The session cookie is what a test cannot produce without a browser (as in actions-roles.test.ts).
const session = vi.hoisted(() => ({ userId: undefined as string | undefined }));
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => (session.userId ? { userId: session.userId, sessionEpoch: 0, expires: '2999-01-01' } : null),
}));
vi.mock('next/server', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/server')>()), connection: async () => {} }));
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';

const MAILBOXES = 200;
const LIMIT = 6;
const run = randomBytes(3).toString('hex');
let owner: User;
let support: User;
let ports: MailPorts;
let profile: ServerProfile;

const connectedPasswordMailboxes = (profile: ServerProfile, names: string[], storedPassword?: string) =>
  createConnected({ profile, owner, names, run, storedPassword });
const labProfile = (overrides: Parameters<typeof labPasswordProfile>[1] = {}) => labPasswordProfile(ports, overrides);

/** Polls the job as the progress page does, keeping every progress seen, until it ends. */
async function followBulkTest(jobId: string, timeoutMs = 60_000) {
  const seen: { done: number; total: number }[] = [];
  const status = await waitUntil(
    `bulk test ${jobId} to end`,
    async () => {
      const current = (await getBulkTest({ viewer: support, jobId, locale: 'en' })) as BulkTestStatus;
      if (current.progress) seen.push({ done: current.progress.done, total: current.progress.total });
      return FINISHED_JOB_STATES.has(current.state) ? current : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return { status, seen };
}

describe.skipIf(!labIsAvailable)(`bulk test and activate on ${databaseKind()}`, () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `owner-${run}@example.org`, role: 'owner' } });
    support = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `support-${run}@example.org`, role: 'support' } });
    // The lab's CA reaches the tester the way an operator's does: through MAILROOM_EXTRA_CA_FILE.
    getEnv().MAILROOM_EXTRA_CA_FILE = writeLabCaFile();
    ports = await labControl.openMailPorts({ server: 'generic' });
    profile = await labProfile({ maxConcurrentConnections: LIMIT });
    await startJobWorkers(testerJobs);
  });
  afterAll(async () => {
    await stopJobQueue();
  });

  it(`tests and activates ${MAILBOXES} mailboxes of a profile with at most ${LIMIT} connections open at the lab, reporting progress and one result each`, async () => {
    const created = await connectedPasswordMailboxes(
      profile,
      Array.from({ length: MAILBOXES }, (_, index) => `bulk${String(index).padStart(3, '0')}`),
    );
    await labControl.resetCounters({ portsId: ports.id });

    const started = performance.now();
    const { jobId } = await startBulkTest({ viewer: support, target: { profileId: profile.id } });
    const { status, seen } = await followBulkTest(jobId, 150_000);
    const seconds = (performance.now() - started) / 1000;

    expect(status.state, status.error ?? '').toBe('completed');
    const results = status.results!;
    expect(results).toHaveLength(MAILBOXES);
    expect(results.map((result) => result.address)).toEqual(created.map((mailbox) => mailbox.address).sort());
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.every((result) => result.activated && result.failing.length === 0 && result.message === null && result.testId)).toBe(true);
    const stored = await db.select({ status: mailboxes.status }).from(mailboxes).where(inArray(mailboxes.id, created.map((mailbox) => mailbox.id)));
    expect(stored.every((mailbox) => mailbox.status === 'active')).toBe(true);

    // Progress went up, one mailbox at a time, to the whole.
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((progress) => progress.total === MAILBOXES)).toBe(true);
    expect(seen.map((progress) => progress.done)).toEqual([...seen.map((progress) => progress.done)].sort((a, b) => a - b));
    expect(seen.some((progress) => progress.done > 0 && progress.done < MAILBOXES)).toBe(true);

    // Measured at the lab's own front of Dovecot: per protocol, and summed (the sum of the per-protocol
    // peaks is at least the peak of all connections together).
    const { imap, pop3, smtp } = (await labControl.connectionStats({ portsId: ports.id })).generic;
    console.info(
      `bulk test of ${MAILBOXES} mailboxes, limit ${LIMIT}: ${seconds.toFixed(1)} s; most open at once imap ${imap.maxOpen}, smtp ${smtp.maxOpen}, ` +
        `sum ${imap.maxOpen + smtp.maxOpen}; total imap ${imap.total}, smtp ${smtp.total}`,
    );
    expect(imap.maxOpen).toBeLessThanOrEqual(LIMIT);
    expect(smtp.maxOpen).toBeLessThanOrEqual(LIMIT);
    expect(imap.maxOpen + smtp.maxOpen + pop3.maxOpen).toBeLessThanOrEqual(LIMIT);
    // Every test reached both servers, one connection each: sign-in happens on the connection whose certificate was checked.
    expect(imap.total).toBe(MAILBOXES);
    expect(smtp.total).toBe(MAILBOXES);
    expect(imap.open + smtp.open).toBe(0);
  }, 240_000);

  it('through the API: support starts a bulk test of chosen mailboxes, and each result says why it failed', async () => {
    const { key } = await userWithKey(`support-api-${run}@example.org`, 'support');
    const { key: ownerKey } = await userWithKey(`owner-api-${run}@example.org`, 'owner');
    const small = await labProfile({ maxConcurrentConnections: 1 });
    const [good] = await connectedPasswordMailboxes(small, ['good']);
    const [wrong] = await connectedPasswordMailboxes(small, ['wrong'], 'not-the-password');
    const unconnected = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address: `unconnected-${run}@imap.lab.test`, ownerId: owner.id, profileId: small.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    const mailboxIds = [good!.id, wrong!.id, unconnected.id];

    expect((await callRoute(startBulkTestRoute, { method: 'POST', path: '/api/v1/mailboxes/bulk-test', key: ownerKey, body: { mailboxIds } })).status).toBe(403);
    const invalid = await callRoute(startBulkTestRoute, { method: 'POST', path: '/api/v1/mailboxes/bulk-test', key, body: {} });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.fields.mailboxIds).toBeDefined();
    const missing = await callRoute(startBulkTestRoute, { method: 'POST', path: '/api/v1/mailboxes/bulk-test', key, body: { mailboxIds: [...mailboxIds, randomUUID()] } });
    expect(missing.status).toBe(404);
    const empty = await labProfile();
    expect((await callRoute(startBulkTestRoute, { method: 'POST', path: '/api/v1/mailboxes/bulk-test', key, body: { profileId: empty.id } })).status).toBe(409);

    const start = await callRoute(startBulkTestRoute, { method: 'POST', path: '/api/v1/mailboxes/bulk-test', key, body: { mailboxIds } });
    expect(start.status).toBe(202);
    const { jobId } = start.json as { jobId: string };
    await followBulkTest(jobId);
    const read = await callRoute(getBulkTestRoute, { path: `/api/v1/mailboxes/bulk-test/${jobId}`, key, params: { id: jobId } });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: jobId, state: 'completed', progress: null, error: null });
    const byAddress = Object.fromEntries((read.json as BulkTestStatus).results!.map((result) => [result.address, result]));
    expect(byAddress[good!.address]).toMatchObject({ ok: true, activated: true, failing: [], message: null });
    expect(byAddress[wrong!.address]).toMatchObject({ ok: false, activated: false, failing: ['auth_failed', 'auth_failed'] });
    expect(byAddress[unconnected.address]).toMatchObject({ ok: false, activated: false, failing: [], testId: null, message: 'Connect the mailbox before testing it.', hint: expect.stringMatching(/connects/) });

    expect((await callRoute(getBulkTestRoute, { path: `/api/v1/mailboxes/bulk-test/${randomUUID()}`, key, params: { id: randomUUID() } })).status).toBe(404);
  }, 60_000);

  it('the profile page’s form: support queues a test of the profile and lands on its progress page; an owner may not', async () => {
    const single = await labProfile({ maxConcurrentConnections: 2 });
    await connectedPasswordMailboxes(single, ['action']);
    const form = new FormData();
    form.set('profileId', single.id);

    session.userId = owner.id;
    await expect(bulkTestMailboxesAction(IDLE, form)).rejects.toMatchObject({ digest: expect.stringMatching(/HTTP_ERROR_FALLBACK;403/) });
    session.userId = support.id;
    const redirect = await bulkTestMailboxesAction(IDLE, form).then(
      () => '',
      (error: { digest?: string }) => String(error.digest),
    );
    const jobId = /\/mailboxes\/bulk-tests\/([0-9a-f-]{36})/.exec(redirect)?.[1];
    expect(jobId, redirect).toBeDefined();
    const { status } = await followBulkTest(jobId!);
    expect(status.results).toMatchObject([{ address: `action-${run}@imap.lab.test`, ok: true, activated: true }]);
  }, 60_000);
});
