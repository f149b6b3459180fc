// Issue 18, acceptance 4: two portal instances, two processes on one PostgreSQL database, share one
// bulk test of 200 lab mailboxes. The lab never sees more connections than the profile allows, one
// instance is killed midway, and the other finishes: every mailbox ends tested exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, databaseKind } from '@/db';
import { connectionTests, type DirectionResult, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { FINISHED_JOB_STATES } from '@/lib/jobs/get-job-status';
import { stopJobQueue } from '@/lib/jobs/job-queue';
import { jobs } from '@/lib/jobs/job-table';
import { bulkTestJob } from '@/lib/tester/bulk-test-job';
import { bulkTestMailboxJob } from '@/lib/tester/bulk-test-mailbox-job';
import { getBulkTest, startBulkTest, type BulkTestStatus } from '@/lib/tester/bulk-tests';
import { createUser } from '@/lib/users/users';
import { labControl, labIsAvailable, type MailPorts } from '../helpers/lab';
import { connectedPasswordMailboxes, labPasswordProfile, writeLabCaFile } from '../helpers/lab-mailboxes';
import { waitUntil } from '../helpers/wait-until';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAILBOXES = 200;
const LIMIT = 6;
const run = randomBytes(3).toString('hex');

type Instance = { key: number; child: ChildProcess; lines: string[]; kill: () => void; stop: () => Promise<void> };

function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The JSON log lines an instance wrote with this message. */
function logged(lines: string[], message: string): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.message === message ? [entry] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Starts tests/helpers/background-instance.ts, a portal instance without its web server, on this
 * file's database, in a process group of its own; resolves once it says it is ready.
 */
async function startInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=react-server', 'tests/helpers/background-instance.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && isGroupAlive(child.pid)) process.kill(-child.pid, name);
  };
  const instance: Instance = {
    key: 0,
    child,
    lines,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      signal('SIGTERM');
      await waitUntil('the instance to stop', () => (child.pid === undefined || !isGroupAlive(child.pid) ? true : undefined), { timeoutMs: 20_000 }).catch(() =>
        signal('SIGKILL'),
      );
    },
  };
  await waitUntil(
    'the instance to be ready',
    () => {
      if (child.exitCode !== null) throw new Error(`The instance exited with code ${child.exitCode}:\n${lines.join('\n')}`);
      return logged(lines, 'Mailroom is ready').length > 0 ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
  instance.key = Number(logged(lines, 'Background work started')[0]?.instance);
  return instance;
}

/** Mailboxes of the bulk test each instance has finished, by instance number. */
async function finishedByInstance(bulkTestId: string): Promise<Map<number, number>> {
  const rows = await db
    .select({ instance: sql<string>`${jobs.output}->>'instance'`, count: sql<number>`count(*)`.mapWith(Number) })
    .from(jobs)
    .where(and(eq(jobs.name, bulkTestMailboxJob.name), sql`${jobs.data}->>'bulkTestId' = ${bulkTestId}`, sql`${jobs.state} = 'completed'`))
    .groupBy(sql`1`);
  return new Map(rows.map((row) => [Number(row.instance), row.count]));
}

const wasInterrupted = (result: DirectionResult) => result.error?.key === 'tester.problems.interrupted';

describe.skipIf(!labIsAvailable || databaseKind() !== 'postgres')('two portal instances on one PostgreSQL database', () => {
  let owner: User;
  let support: User;
  let ports: MailPorts;
  let profile: ServerProfile;
  let instances: Instance[] = [];

  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `owner-${run}@example.org`, role: 'owner' } });
    support = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `support-${run}@example.org`, role: 'support' } });
    ports = await labControl.openMailPorts({ server: 'generic' });
    profile = await labPasswordProfile(ports, { maxConcurrentConnections: LIMIT });
    const names = Array.from({ length: MAILBOXES }, (_, index) => `multi${String(index).padStart(3, '0')}`);
    const [created] = await Promise.all([
      connectedPasswordMailboxes({ profile, owner, names, run }),
      // Same database and encryption key as this process: what this file's setup put in the environment.
      (async () => {
        const env = { ...process.env, MAILROOM_EXTRA_CA_FILE: writeLabCaFile(), MAILROOM_LOG_LEVEL: 'info' };
        instances = await Promise.all([startInstance(env), startInstance(env)]);
      })(),
    ]);
    expect(created).toHaveLength(MAILBOXES);
  }, 240_000);

  afterAll(async (suite) => {
    if (suite.tasks.some((task) => task.result?.state === 'fail')) {
      for (const instance of instances) console.info(`instance ${instance.key}:\n${instance.lines.slice(-60).join('\n')}`);
    }
    await Promise.all(instances.map((instance) => instance.stop()));
    await stopJobQueue();
  });

  it(`share a bulk test of ${MAILBOXES} mailboxes within the profile's ${LIMIT} connections, and one finishes it when the other is killed`, async () => {
    expect(new Set(instances.map((instance) => instance.key)).size).toBe(2);
    await labControl.resetCounters({ portsId: ports.id });
    // This process only sends the job, as a web request would: the two instances work it.
    const { jobId } = await startBulkTest({ viewer: support, target: { profileId: profile.id } });

    // Both instances test mailboxes; a third of the way through, the one following the bulk test is killed.
    const before = await waitUntil(
      'both instances to have tested mailboxes',
      async () => {
        const finished = await finishedByInstance(jobId);
        const total = [...finished.values()].reduce((sum, count) => sum + count, 0);
        return instances.every((instance) => (finished.get(instance.key) ?? 0) > 0) && total >= MAILBOXES / 3 ? finished : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const [coordinator] = await db
      .select({ instance: sql<string>`${jobs.output}->>'instance'` })
      .from(jobs)
      .where(and(eq(jobs.name, bulkTestJob.name), eq(jobs.id, jobId)));
    const killed = instances.find((instance) => instance.key === Number(coordinator?.instance)) ?? instances[0]!;
    const survivor = instances.find((instance) => instance !== killed)!;
    killed.kill();

    const status = await waitUntil(
      'the surviving instance to finish the bulk test',
      async () => {
        const current = (await getBulkTest({ viewer: support, jobId, locale: 'en' })) as BulkTestStatus;
        return FINISHED_JOB_STATES.has(current.state) ? current : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 200 },
    );

    expect(status.state, status.error ?? '').toBe('completed');
    const results = status.results!;
    expect(results).toHaveLength(MAILBOXES);
    expect(new Set(results.map((result) => result.mailboxId)).size).toBe(MAILBOXES);
    expect(results.map((result) => result.address)).toEqual([...results.map((result) => result.address)].sort());
    expect(results.filter((result) => !(result.ok && result.activated))).toEqual([]);

    // The survivor took over the bulk test and the mailboxes the killed instance had not finished.
    const after = await finishedByInstance(jobId);
    expect(after.get(killed.key)).toBe(before.get(killed.key));
    expect(after.get(survivor.key)! + after.get(killed.key)!).toBe(MAILBOXES);
    expect(logged(survivor.lines, 'Took over jobs of a stopped portal instance').length).toBeGreaterThan(0);

    // Exactly one test with a verdict per mailbox; a test the kill cut short was closed as interrupted,
    // at most one per test the killed instance could run at once (2 connections each).
    const tests = await db
      .select({ mailboxId: connectionTests.mailboxId, ok: connectionTests.ok, incoming: connectionTests.incoming, outgoing: connectionTests.outgoing })
      .from(connectionTests)
      .where(inArray(connectionTests.mailboxId, results.map((result) => result.mailboxId)));
    const interrupted = tests.filter((test) => wasInterrupted(test.incoming) || wasInterrupted(test.outgoing));
    const verdicts = tests.filter((test) => !interrupted.includes(test));
    expect(verdicts.every((test) => test.ok === true)).toBe(true);
    expect(verdicts.map((test) => test.mailboxId).sort()).toEqual(results.map((result) => result.mailboxId).sort());
    expect(interrupted.length).toBeLessThanOrEqual(LIMIT / 2);
    expect(interrupted.every((test) => test.ok === false)).toBe(true);

    // Measured at the lab's front of Dovecot: the two instances together never went past the limit.
    const { imap, smtp } = (await labControl.connectionStats({ portsId: ports.id })).generic;
    console.info(
      `two instances, ${MAILBOXES} mailboxes, limit ${LIMIT}: finished by the killed one ${after.get(killed.key)}, by the survivor ${after.get(survivor.key)}, ` +
        `interrupted ${interrupted.length}; most open at once imap ${imap.maxOpen}, smtp ${smtp.maxOpen}; total imap ${imap.total}, smtp ${smtp.total}`,
    );
    expect(imap.maxOpen + smtp.maxOpen).toBeLessThanOrEqual(LIMIT);
    expect(imap.total).toBeGreaterThanOrEqual(MAILBOXES);
    expect(imap.total).toBeLessThanOrEqual(MAILBOXES + interrupted.length);
    expect(imap.open + smtp.open).toBe(0);
  }, 360_000);
});
