// Issue 13, acceptance 1, 3 and 6 in a browser: sign-in never leads off the portal, an old session
// cookie leads back to sign-in, failed sign-ins are told to wait, and pages carry headers a
// browser enforces (every browser test also fails on a CSP violation, see helpers/browser.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../helpers/database';
import { launchBrowser, openPage, signIn, submitSignIn } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'doors.admin@example.org', password: 'admin password 8c2e1f' };
const OWNER = { email: 'doors.owner@example.org', password: 'owner password 4b7d0a' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let adminKey = '';
let ownerId = '';
const contexts: { close: () => Promise<void> }[] = [];

async function visitor(): Promise<Page> {
  const { context, page } = await openPage(browser, portal);
  contexts.push(context);
  return page;
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const args of [
    ['user:create', '--email', ADMIN.email, '--role', 'admin', '--password', ADMIN.password],
    ['user:create', '--email', OWNER.email, '--role', 'owner', '--password', OWNER.password],
  ]) {
    const created = await runCli(args, database.env);
    expect(created, created.stderr).toMatchObject({ exitCode: 0 });
    if (args[2] === OWNER.email) ownerId = created.stdout.trim();
  }
  const keyed = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
  adminKey = keyed.stdout.trim().split('\n').at(-1)!;
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

describe('where sign-in leads', () => {
  for (const callbackUrl of ['//elsewhere.example/x', '/\\elsewhere.example/x', 'https://elsewhere.example/x']) {
    test(`signing in with callbackUrl=${callbackUrl} ends on the portal`, async () => {
      const page = await visitor();
      await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      await signIn(page, OWNER);
      await page.getByRole('heading', { name: 'My mailboxes' }).waitFor();
      expect(new URL(page.url()).origin).toBe(portal.url);
    });
  }

  test('a path on the portal is kept', async () => {
    const page = await visitor();
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent('/users')}`);
    await signIn(page, ADMIN);
    await page.waitForURL(`${portal.url}/users`);
  });
});

describe('sessions end when they should', () => {
  test('an old session cookie after sign-out leads to sign-in', async () => {
    const page = await visitor();
    await signIn(page, OWNER);
    await page.getByRole('heading', { name: 'My mailboxes' }).waitFor();
    const cookies = await page.context().cookies();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');

    const replay = await visitor();
    await replay.context().addCookies(cookies);
    await replay.goto('/mailboxes');
    await replay.waitForURL('**/sign-in');
  });

  test('an old session cookie after deactivation then reactivation leads to sign-in', async () => {
    const page = await visitor();
    await signIn(page, OWNER);
    await page.getByRole('heading', { name: 'My mailboxes' }).waitFor();

    for (const body of [{ active: false }, { active: true }]) {
      const response = await fetch(`${portal.url}/api/v1/users/${ownerId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    }
    await page.goto('/mailboxes');
    await page.waitForURL('**/sign-in');
    await signIn(page, OWNER);
    await page.getByRole('heading', { name: 'My mailboxes' }).waitFor();
  });
});

describe('guessing passwords', () => {
  test('is told how long to wait after a few wrong passwords', async () => {
    const page = await visitor();
    await page.goto('/sign-in');
    for (let index = 0; index < 5; index += 1) {
      await submitSignIn(page, { email: ADMIN.email, password: `wrong guess ${index}` });
      await page.getByText('The email or password is wrong, or the account is deactivated.').waitFor();
    }
    await submitSignIn(page, { email: ADMIN.email, password: 'wrong guess 6' });
    await page.getByText(/Too many failed sign-ins\. Wait \d+ seconds?, then try again\./).waitFor();
  });
});

describe('headers a browser enforces', () => {
  test('a page carries a nonce policy, unique per request, and the other headers', async () => {
    const [first, second] = await Promise.all([fetch(`${portal.url}/sign-in`), fetch(`${portal.url}/sign-in`)]);
    const policy = first.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(second.headers.get('content-security-policy')).not.toBe(policy);
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    expect(await first.text()).toContain(`nonce="${nonce}"`);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(first.headers.get('permissions-policy')).toContain('camera=()');
    // The test portal is on http: no HSTS, which would pin a browser to https the server lacks.
    expect(first.headers.get('strict-transport-security')).toBeNull();
  });

  test('an API answer carries them too', async () => {
    const response = await fetch(`${portal.url}/api/v1/me`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  test('an oversized API body is refused 413 in the error shape, the proxy never buffering it', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${portal.url}/api/v1/mailboxes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  // PGlite serves one process per data folder and the first portal holds it: this runs in the PostgreSQL project.
  test.skipIf(testDatabaseKind() === 'pglite')('HSTS is sent when the public URL is https', async () => {
    const secure = await startPortal({ database, env: { MAILROOM_PUBLIC_URL: 'https://mailroom.example.org' } });
    try {
      // Browsers take HSTS from any answer of the host; pages carry it.
      const response = await fetch(`${secure.url}/sign-in`, { redirect: 'manual' });
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await secure.stop();
    }
  });
});
