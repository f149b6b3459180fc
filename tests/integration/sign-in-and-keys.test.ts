// Issue 13, points 2 to 4: failed sign-ins and key guesses slow down (on every portal instance),
// sessions end when the user's standing changes, and API keys expire and are revoked at once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import * as apiKeyRoute from '@/app/api/v1/api-keys/[id]/route';
import * as apiKeysRoute from '@/app/api/v1/api-keys/route';
import * as meRoute from '@/app/api/v1/me/route';
import * as userRoute from '@/app/api/v1/users/[id]/route';
import { db } from '@/db';
import { users } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { createApiKey } from '@/lib/auth/api-keys';
import { getAuthOptions } from '@/lib/auth/options';
import { signInSubjects } from '@/lib/auth/sign-in-throttle';
import { getRetryAfterSeconds } from '@/lib/auth/throttle';
import { createUser, endSessions, getUserById, updateUser } from '@/lib/users/users';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { testDatabaseKind } from '../helpers/database';
import { userWithKey } from '../helpers/fixtures';

const logs = captureLogs();
const PASSWORD = 'the right password 5e1f';
const WRONG = 'a wrong password 0c9d';

type Authorize = (credentials: Record<string, string>, request: { headers: Record<string, string> }) => Promise<unknown>;

function passwordSignIn(): Authorize {
  const provider = getAuthOptions().providers.find((candidate) => candidate.id === 'credentials') as unknown as {
    options: { authorize: Authorize };
  };
  return provider.options.authorize;
}

/** One sign-in attempt as the form makes it: the user, an error message, or null for a wrong password. */
async function attempt(email: string, password: string, address: string): Promise<{ ok: boolean; error: string | null }> {
  try {
    const user = await passwordSignIn()({ email, password }, { headers: { 'x-forwarded-for': address } });
    return { ok: Boolean(user), error: null };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function secondsIn(message: string): number {
  return Number(/Wait (\d+) second/.exec(message)?.[1]);
}

describe('failed sign-ins', () => {
  const email = 'guessed@example.org';
  const address = '203.0.113.7';

  beforeAll(async () => {
    await createUser({ actor: COMMAND_LINE_ACTOR, input: { email, role: 'owner', password: PASSWORD } });
  });

  it('after 30 wrong passwords in a row the next attempts wait, and say how long', async () => {
    const outcomes = [];
    for (let index = 0; index < 30; index += 1) outcomes.push(await attempt(email, WRONG, address));
    expect(outcomes.every((outcome) => !outcome.ok)).toBe(true);
    // A few free tries, then every attempt is told to wait.
    expect(outcomes.slice(0, 5).map((outcome) => outcome.error)).toEqual([null, null, null, null, null]);
    expect(outcomes.slice(5).every((outcome) => outcome.error?.startsWith('Too many failed sign-ins.'))).toBe(true);

    // Right after being told to wait a few seconds, even the right password waits.
    let last = outcomes.at(-1)!;
    while (secondsIn(last.error!) < 4) last = await attempt(email, WRONG, address);
    const blocked = await attempt(email, PASSWORD, address);
    expect(blocked.ok).toBe(false);
    expect(blocked.error).toMatch(/^Too many failed sign-ins\. Wait \d+ seconds?, then try again\.$/);
    // Another address cannot get round the account's delay.
    expect((await attempt(email, PASSWORD, '198.51.100.9')).ok).toBe(false);
  });

  // The embedded database serves one process only: this runs in the PostgreSQL project, reported skipped on PGlite.
  it.skipIf(testDatabaseKind() === 'pglite')('a second portal process on the same database sees the same throttle', async () => {
    const target = 'elsewhere@example.org';
    const waitThere = await failInAnotherProcess(target, 10);
    expect(waitThere).toBeGreaterThan(0);
    const waitHere = await getRetryAfterSeconds({ subjects: signInSubjects({ email: target, address: '192.0.2.1' }) });
    expect(waitHere).toBeGreaterThan(0);
    expect((await attempt(target, PASSWORD, '192.0.2.1')).error).toMatch(/^Too many failed sign-ins\./);
  });

  it('the right password works once the delay has passed, and starts the count again', async () => {
    const blocked = await attempt(email, PASSWORD, address);
    await new Promise((resolve) => setTimeout(resolve, secondsIn(blocked.error!) * 1000 + 100));
    expect(await attempt(email, PASSWORD, address)).toEqual({ ok: true, error: null });
    expect((await attempt(email, WRONG, address)).error).toBeNull();
  });

  it('audits and logs each lockout, never the password', async () => {
    const { events } = await findAuditEvents({ limit: 200 });
    const lockouts = events.filter((event) => event.action === 'auth.lockout');
    expect(lockouts.map((event) => event.detail)).toContainEqual(expect.objectContaining({ kind: 'account', email, retryAfterSeconds: 1 }));
    expect(logs.text()).toContain('attempts throttled after repeated failures');
    expect(JSON.stringify(events)).not.toContain(WRONG);
    expect(logs.text()).not.toContain(WRONG);
    expect(logs.text()).not.toContain(PASSWORD);
  });
});

/** Another process with its own connection to the same PostgreSQL database, as a second portal instance has. */
function failInAnotherProcess(email: string, count: number): Promise<number> {
  const root = path.resolve(import.meta.dirname, '../..');
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      ['--conditions=react-server', 'tests/helpers/throttle-probe.ts', email, String(count)],
      { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(stdout.trim())) : reject(new Error(`probe exited with ${code}`))));
  });
}

describe('failed API keys', () => {
  it('slow down the address that sends them, with 429 and Retry-After', async () => {
    const call = (key: string) =>
      meRoute.GET(
        new NextRequest('http://127.0.0.1/api/v1/me', {
          headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': '192.0.2.44' },
        }),
        { params: Promise.resolve({}) },
      );
    const statuses = [];
    for (let index = 0; index < 22; index += 1) statuses.push((await call(`mr_guess-${index}`)).status);
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    const throttled = await call('mr_guess-last');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await throttled.json()).error.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('session epochs', () => {
  it('move on sign-out, a role change, deactivation and reactivation, but not a new name', async () => {
    const admin = await userWithKey('epoch.admin@example.org', 'admin');
    const person = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'epoch@example.org', role: 'owner' } });
    const epoch = async () => (await getUserById({ id: person.id }))!.sessionEpoch;
    const patch = (body: unknown) =>
      callRoute(userRoute.PATCH, { method: 'PATCH', path: `/api/v1/users/${person.id}`, key: admin.key, params: { id: person.id }, body });

    const start = await epoch();
    await patch({ name: 'New Name' });
    expect(await epoch()).toBe(start);
    await patch({ role: 'support' });
    expect(await epoch()).toBe(start + 1);
    await patch({ active: false });
    expect(await epoch()).toBe(start + 2);
    await patch({ active: true });
    expect(await epoch()).toBe(start + 3);
    await endSessions({ userId: person.id });
    expect(await epoch()).toBe(start + 4);
  });
});

describe('API key lifecycle', () => {
  let admin: Awaited<ReturnType<typeof userWithKey>>;
  let owner: Awaited<ReturnType<typeof userWithKey>>;
  let other: Awaited<ReturnType<typeof userWithKey>>;

  beforeAll(async () => {
    admin = await userWithKey('keys.admin@example.org', 'admin');
    owner = await userWithKey('keys.owner@example.org', 'owner');
    other = await userWithKey('keys.other@example.org', 'owner');
  });

  const me = (key: string) => callRoute(meRoute.GET, { path: '/api/v1/me', key });
  const list = (key: string, query = '') => callRoute(apiKeysRoute.GET, { path: `/api/v1/api-keys${query}`, key });
  const revoke = (key: string, id: string) =>
    callRoute(apiKeyRoute.DELETE, { method: 'DELETE', path: `/api/v1/api-keys/${id}`, key, params: { id } });

  it('creates a named key that expires, shown once, and lists it without the key', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await callRoute(apiKeysRoute.POST, {
      method: 'POST',
      path: '/api/v1/api-keys',
      key: owner.key,
      body: { name: 'Billing sync', expiresAt },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Billing sync', userEmail: 'keys.owner@example.org', revokedAt: null });
    expect(created.json.expiresAt).toBe(expiresAt);
    expect(created.json.key).toMatch(/^mr_/);
    expect((await me(created.json.key)).status).toBe(200);

    const listed = await list(owner.key);
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((key: { name: string }) => key.name)).toEqual(['Billing sync', 'API key']);
    expect(listed.json.data[0].lastUsedAt).not.toBeNull();
    expect(listed.text).not.toContain(created.json.key);
    expect(listed.text).not.toContain(owner.key);
  });

  it('refuses a past expiry, a bad date and unknown fields with 422, naming them', async () => {
    const { status, json } = await callRoute(apiKeysRoute.POST, {
      method: 'POST',
      path: '/api/v1/api-keys',
      key: owner.key,
      body: { expiresAt: '2001-01-01T00:00:00Z', nmae: 'typo' },
    });
    expect(status).toBe(422);
    expect(json.error.fields.expiresAt).toEqual(['Choose a time in the future.']);
    expect(JSON.stringify(json.error.fields)).toContain('nmae');
    const badDate = await callRoute(apiKeysRoute.POST, { method: 'POST', path: '/api/v1/api-keys', key: owner.key, body: { expiresAt: '31/01/2030' } });
    expect(badDate.status).toBe(422);
  });

  it('answers 401 at once for an expired key', async () => {
    const { key } = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: owner.user.id, expiresAt: new Date(Date.now() - 1000) });
    expect((await me(key)).status).toBe(401);
  });

  it('lets people revoke their own keys, admins anyone’s, and nobody else’s', async () => {
    const mine = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: owner.user.id, name: 'mine' });
    const theirs = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: other.user.id, name: 'theirs' });

    expect((await revoke(owner.key, theirs.id)).status).toBe(404);
    expect((await me(theirs.key)).status).toBe(200);
    expect((await list(owner.key, `?userId=${other.user.id}`)).status).toBe(403);

    const own = await revoke(owner.key, mine.id);
    expect(own.status).toBe(204);
    expect(own.text).toBe('');
    expect((await me(mine.key)).status).toBe(401);

    const adminListing = await list(admin.key, `?userId=${other.user.id}`);
    expect(adminListing.json.data.map((key: { name: string }) => key.name)).toContain('theirs');
    expect((await revoke(admin.key, theirs.id)).status).toBe(204);
    expect((await me(theirs.key)).status).toBe(401);
    expect((await revoke(admin.key, theirs.id)).status).toBe(204);
  });

  it('keeps a revoked key revoked when its user is deactivated and reactivated', async () => {
    const revoked = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: other.user.id, name: 'revoked' });
    const kept = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: other.user.id, name: 'kept' });
    await revoke(admin.key, revoked.id);
    await updateUser({ actor: COMMAND_LINE_ACTOR, id: other.user.id, input: { active: false } });
    expect((await me(kept.key)).status).toBe(401);
    await updateUser({ actor: COMMAND_LINE_ACTOR, id: other.user.id, input: { active: true } });
    expect((await me(kept.key)).status).toBe(200);
    expect((await me(revoked.key)).status).toBe(401);
    const [row] = await db.select({ active: users.deactivatedAt }).from(users).where(eq(users.id, other.user.id));
    expect(row!.active).toBeNull();
  });

  it('pages through keys with a cursor, and refuses a cursor that is not an id', async () => {
    const first = await list(admin.key, `?userId=${other.user.id}&limit=1`);
    expect(first.json.data).toHaveLength(1);
    expect(first.json.nextCursor).toBe(first.json.data[0].id);
    const second = await list(admin.key, `?userId=${other.user.id}&limit=1&cursor=${first.json.nextCursor}`);
    expect(second.json.data[0].id).not.toBe(first.json.data[0].id);
    expect((await list(admin.key, '?cursor=%00')).status).toBe(422);
  });

  it('audits revocations', async () => {
    const { events } = await findAuditEvents({ limit: 200 });
    expect(events.filter((event) => event.action === 'api_key.revoke').length).toBeGreaterThanOrEqual(3);
  });
});
