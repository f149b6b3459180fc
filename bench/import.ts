/**
 * A CSV import of 10,000 rows through a started portal's API, its preview first, while two other
 * loops call `/api/health` and the first page of the mailbox list: prints each import's time (from
 * the POST to the GET that finds it finished) and the other requests' p95 and max, next to the same
 * loops on the idle portal. PGlite by default, PostgreSQL with DATABASE_URL; the database is the
 * bench's own. Needs a build (`npx next build --webpack`). Prints figures; asserts nothing.
 *   npm run bench:import   (BENCH_ROWS=10000)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openBenchDatabase } from './measure';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const OWNERS = 100;
/** Mailboxes there before the import: the list has a page to show, and some rows of the file exist already. */
const EXISTING = 1_000;
const IDLE_MS = 5_000;
/** Each loop waits this long between its requests, as a few people's browsers would. */
const LOOP_PAUSE_MS = 50;
const REQUEST_TIMEOUT_MS = 30_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const database = await openBenchDatabase();

async function seed(): Promise<string> {
  const { closeDatabase, db } = await import('@/db');
  const { migrateDatabase } = await import('@/db/migrate');
  const { sql } = await import('drizzle-orm');
  const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
  const { createApiKey } = await import('@/lib/auth/api-keys');
  const { createUser } = await import('@/lib/users/users');
  const { insertProfile } = await import('../tests/helpers/fixtures');
  try {
    await migrateDatabase();
    const admin = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'bench-admin@example.org', role: 'admin' } });
    const { key } = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: admin.id });
    const profile = await insertProfile({ name: 'Bench default', isDefault: true });
    await db.execute(sql`
      insert into users (email, role) select 'owner' || n || '@example.org', 'owner' from generate_series(0, ${OWNERS - 1}::int) as n`);
    await db.execute(sql`
      insert into mailboxes (address, owner_id, profile_id)
      select 'existing' || n || '@example.org', (select id from users where email = 'owner0@example.org'), ${profile.id}::uuid
      from generate_series(0, ${EXISTING - 1}::int) as n`);
    await db.execute(sql`update server_profiles set mailbox_count = ${EXISTING}::int where id = ${profile.id}::uuid`);
    return key;
  } finally {
    await closeDatabase();
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** `next start` on the bench's database, in a process group of its own; resolves once /api/health answers. */
async function startPortal(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(MAILROOM_|NEXT|DATABASE_URL$|NODE_ENV$|PORT$)/.test(name)));
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env: { ...inherited, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', MAILROOM_PUBLIC_URL: url, ...database.env },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The portal exited with code ${child.exitCode}`);
    const healthy = await fetch(`${url}/api/health`).then((response) => response.ok, () => false);
    if (healthy) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error('The portal did not answer /api/health within 60 s');
}

type Timings = { times: number[]; failures: number };

/** Calls `path` one request after another until stopped, timing each; a timeout or an error answer is a failure. */
function requestLoop(url: string, headers: Record<string, string>): { stop: () => Promise<Timings> } {
  const timings: Timings = { times: [], failures: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await response.arrayBuffer();
        if (response.ok) timings.times.push(performance.now() - start);
        else timings.failures += 1;
      } catch {
        timings.failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, LOOP_PAUSE_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return timings;
    },
  };
}

function describeTimings(name: string, { times, failures }: Timings): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? NaN;
  const figure = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
  return `  ${name.padEnd(14)} ${String(sorted.length).padStart(5)} answers  median ${figure(at(0.5))}   p95 ${figure(at(0.95))}   max ${figure(sorted.at(-1) ?? NaN)}   failures ${failures}`;
}

/** Runs `work` while the two loops call the portal; prints their figures under `title`. */
async function withOtherRequests(portal: { url: string }, key: string, title: string, work: () => Promise<string>): Promise<void> {
  const health = requestLoop(`${portal.url}/api/health`, {});
  const list = requestLoop(`${portal.url}/api/v1/mailboxes?limit=50`, { authorization: `Bearer ${key}` });
  const outcome = await work();
  const [healthTimings, listTimings] = await Promise.all([health.stop(), list.stop()]);
  console.log(`${title}: ${outcome}`);
  console.log(describeTimings('/api/health', healthTimings));
  console.log(describeTimings('mailbox list', listTimings));
}

async function importFile(portal: { url: string }, key: string, csv: string, dryRun: boolean): Promise<string> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const start = performance.now();
  const posted = await fetch(`${portal.url}/api/v1/mailboxes/import`, { method: 'POST', headers, body: JSON.stringify({ csv, dryRun }) });
  if (posted.status !== 202) throw new Error(`POST answered ${posted.status}: ${await posted.text()}`);
  const { jobId } = (await posted.json()) as { jobId: string };
  for (;;) {
    const read = await fetch(`${portal.url}/api/v1/mailboxes/import/${jobId}`, { headers });
    const status = (await read.json()) as { state: string; summary: Record<string, number> | null };
    if (['completed', 'failed', 'cancelled'].includes(status.state)) {
      const summary = status.summary ? Object.entries(status.summary).map(([outcome, rows]) => `${rows} ${outcome}`).join(', ') : 'no summary';
      return `${status.state} in ${Math.round(performance.now() - start)} ms (${summary})`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const key = await seed();
// A tenth of the rows name mailboxes that exist already, as a file sent twice in part would.
const csv = [
  'address,owner email',
  ...Array.from({ length: ROWS }, (_, index) =>
    index % 10 === 0 ? `existing${index % EXISTING}@example.org,owner1@example.org` : `imported${index}@example.org,owner${index % OWNERS}@example.org`,
  ),
].join('\n');
const portal = await startPortal();
try {
  // The first answers of each route load its code: not what the loops are here to measure.
  for (let warmUp = 0; warmUp < 5; warmUp += 1) {
    await fetch(`${portal.url}/api/health`).then((response) => response.arrayBuffer());
    await fetch(`${portal.url}/api/v1/mailboxes?limit=50`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.arrayBuffer());
  }
  console.log(`${database.kind}: ${ROWS} rows, ${EXISTING} mailboxes before, load ${(await import('node:os')).loadavg()[0]!.toFixed(2)}`);
  await withOtherRequests(portal, key, 'idle portal', async () => {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return `${IDLE_MS / 1000} s`;
  });
  await withOtherRequests(portal, key, 'preview', () => importFile(portal, key, csv, true));
  await withOtherRequests(portal, key, 'import', () => importFile(portal, key, csv, false));
} finally {
  await portal.stop();
  await database.drop();
}
