// Issue 8, acceptance 1 and 3: support watches a mailbox go from valid to "needs reconnect" when its
// grant is revoked at the lab and the check runs, sends the owner a reconnect link (mailed from the
// notification sender the admin chose in Settings), and sees it valid again once the owner has
// followed it and reconnected; then every page and API answer support can reach is
// searched for the lab's tokens, secrets and passwords.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughLab, launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable, waitForReceivedMail } from '../helpers/lab';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 7h8j9k' };
const SUPPORT = { email: 'support@example.org', password: 'support password 1q2w3e' };
const OWNER = { email: 'owner@example.org', password: 'owner password 4r5t6y' };
const LAB_ACCOUNT_PASSWORD = 'lab account password 9z8x7c';

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let adminKey: string;
let supportKey: string;
let clientSecret: string;
let profileId: string;
let mailboxId: string;
let account: string;
let support: { context: BrowserContext; page: Page };
let owner: { context: BrowserContext; page: Page };
let admin: { context: BrowserContext; page: Page };

async function api(key: string, method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${portal.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  expect(response.ok, JSON.stringify(json)).toBe(true);
  return json;
}

async function createUserWithKey(person: { email: string; password: string }, role: string): Promise<string> {
  const created = await runCli(['user:create', '--email', person.email, '--role', role, '--password', person.password], database.env);
  expect(created.exitCode, created.stderr).toBe(0);
  const keyed = await runCli(['apikey:create', '--email', person.email], database.env);
  return keyed.stdout.trim().split('\n').at(-1)!;
}

/** A person's own consent at the lab, from the mailbox page's connect button. */
async function connectAt(page: Page, options: { mailboxId: string; account: string; button: string }): Promise<void> {
  await connectThroughLab(page, options);
  await page.getByText(`Connected as ${options.account}.`).waitFor();
}

const connectAsOwner = (button: string) => connectAt(owner.page, { mailboxId, account, button });

async function tokenStateInList(): Promise<string> {
  await support.page.goto(`/token-status?q=${encodeURIComponent(account)}`);
  return (await support.page.locator(`tr[data-mailbox="${account}"]`).getByTestId('token-state').textContent())!.trim();
}

describe.skipIf(!labIsAvailable)('token status for support staff', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    [adminKey, supportKey] = [await createUserWithKey(ADMIN, 'admin'), await createUserWithKey(SUPPORT, 'support')];
    await createUserWithKey(OWNER, 'owner');
    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, trustLabCa: true })]);
    [support, owner, admin] = await Promise.all([openPage(browser, portal), openPage(browser, portal), openPage(browser, portal)]);
    await Promise.all([signIn(support.page, SUPPORT), signIn(owner.page, OWNER), signIn(admin.page, ADMIN)]);

    const lab = getLab();
    const google = lab.personas.google;
    const client = await labControl.registerClient({ persona: 'google', redirectUris: [`${portal.url}/api/oauth/callback`], confidential: true });
    clientSecret = client.clientSecret!;
    const profile = await api(adminKey, 'POST', '/api/v1/profiles', {
      name: 'Lab Gmail (support)',
      serverType: 'gmail',
      authType: 'oauth2_code',
      clientId: client.clientId,
      clientSecret,
      internalServer: true,
      issuer: google.issuer,
      endpoints: {
        authorization: google.endpoints.authorization,
        token: google.endpoints.token,
        device: null,
        revocation: google.endpoints.revocation,
        userinfo: google.endpoints.userinfo,
        jwks: google.endpoints.jwks,
      },
      incoming: { protocol: 'imap', host: lab.mail.gmail.imap.tls.host, port: lab.mail.gmail.imap.tls.port, security: 'tls' },
      outgoing: { host: lab.mail.gmail.smtp.tls.host, port: lab.mail.gmail.smtp.tls.port, security: 'tls' },
    });
    profileId = profile.id;
    // An account of this file's own: revoking its grants touches no other test.
    account = `support-${Math.random().toString(36).slice(2, 8)}@gmail.lab.test`;
    await labControl.createAccount({ email: account, provider: 'google', password: LAB_ACCOUNT_PASSWORD });
    const mailbox = await api(adminKey, 'POST', '/api/v1/mailboxes', { address: account, ownerEmail: OWNER.email, profileId });
    mailboxId = mailbox.id;
    await api(adminKey, 'POST', `/api/v1/mailboxes/${mailboxId}/approve`);
    await owner.page.goto(`/mailboxes/${mailboxId}`);
    await connectAsOwner('Connect to Gmail');
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await database?.drop();
  });

  it('shows a healthy mailbox as valid', async () => {
    expect(await tokenStateInList()).toBe('Valid');
    await support.page.goto(`/mailboxes/${mailboxId}/timeline`);
    await support.page.getByTestId('token-state').getByText('Valid').waitFor();
  });

  it('shows "needs reconnect" with the hint once the grant is revoked at the lab and the check runs', async () => {
    await labControl.revokeGrants({ account });
    const page = support.page;
    await page.goto(`/mailboxes/${mailboxId}/timeline`);
    const check = page.getByRole('button', { name: 'Check now' });
    await waitForHydration(check);
    await check.click();
    await page.getByText('The provider refused the grant: the mailbox needs a reconnect by its owner.').waitFor();
    await page.reload();
    await page.getByTestId('token-state').getByText('Needs reconnect').waitFor();
    expect(await page.getByTestId('hint').textContent()).toMatch(/connects the mailbox again/);
    await page.getByTestId('timeline').getByText('Token refused: needs reconnect').waitFor();

    expect(await tokenStateInList()).toBe('Needs reconnect');
    expect(await support.page.locator(`tr[data-mailbox="${account}"]`).getByTestId('hint').textContent()).toMatch(/connects the mailbox again/);
  });

  it('counts the refused token on the overview, each count leading to a list of exactly that many rows', async () => {
    const page = support.page;
    for (const [figure, list] of [
      ['token_revoked', '/token-status?state=revoked'],
      ['needs_reconnect', '/mailboxes?connection=needs_reconnect'],
    ] as const) {
      await page.goto('/');
      const count = page.getByTestId('health-summary').locator(`[data-figure="${figure}"]`);
      const value = Number(await count.textContent());
      expect(value).toBe(1);
      await count.click();
      await page.waitForURL((url) => `${url.pathname}${url.search}` === list);
      expect(await page.locator('main tbody tr').count()).toBe(value);
    }
  });

  it('lets the admin choose the mailbox notifications are sent from, and check it with a test notification', async () => {
    const sender = `notify-${Math.random().toString(36).slice(2, 8)}@gmail.lab.test`;
    await labControl.createAccount({ email: sender, provider: 'google', password: LAB_ACCOUNT_PASSWORD });
    const mailbox = await api(adminKey, 'POST', '/api/v1/mailboxes', { address: sender, ownerEmail: ADMIN.email, profileId });
    await api(adminKey, 'POST', `/api/v1/mailboxes/${mailbox.id}/approve`);
    const page = admin.page;
    await page.goto(`/mailboxes/${mailbox.id}`);
    await connectAt(page, { mailboxId: mailbox.id, account: sender, button: 'Connect to Gmail' });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByText('No sender is set: notifications are logged, not mailed.').waitFor();
    const field = page.getByLabel('Send notifications from');
    await waitForHydration(field);
    await field.fill(sender);
    await page.getByRole('button', { name: 'Save sender' }).click();
    await page.getByText(`Notifications are now sent from ${sender} through Lab Gmail (support).`).waitFor();
    const since = new Date();
    await page.getByRole('button', { name: 'Send me a test notification' }).click();
    await page.getByText(`A test notification was sent from ${sender} to ${ADMIN.email}.`).waitFor();
    // The page speaks the browser's English; a mail has no browser: it is in the portal's default, French,
    // for someone who chose no language.
    expect((await waitForReceivedMail({ to: ADMIN.email, subject: 'Notification de test Mailroom', since })).envelopeFrom).toBe(sender);
  });

  it('mails the owner a reconnect link that they follow to reconnect, and the list shows the mailbox valid again', async () => {
    const page = support.page;
    await page.goto(`/mailboxes/${mailboxId}/timeline`);
    const send = page.getByRole('button', { name: 'Send a reconnect link' });
    await waitForHydration(send);
    const since = new Date();
    await send.click();
    await page.getByText(`The reconnect link was mailed to ${OWNER.email} from notify-`, { exact: false }).waitFor();
    // Mailed, so support never holds the link itself.
    expect(await page.getByTestId('reconnect-link').count()).toBe(0);
    const mail = await waitForReceivedMail({ to: OWNER.email, subject: `Reconnectez votre boîte aux lettres ${account}`, since });
    const link = new RegExp(`${portal.url}/reconnect/[A-Za-z0-9_-]{40,}`).exec(mail.raw.replace(/=\r?\n/g, ''))?.[0];
    expect(link, mail.raw).toBeDefined();

    // The owner opens it signed out: it says which mailbox and what to click, then sign-in, then the mailbox's Connect page.
    const { context, page: fresh } = await openPage(browser, portal);
    await fresh.goto(link!);
    await fresh.getByText(account).first().waitFor();
    await fresh.getByText('its provider refused the permission you gave earlier', { exact: false }).waitFor();
    await fresh.getByText('“Reconnect”').waitFor();
    await fresh.getByRole('link', { name: 'Sign in to reconnect' }).click();
    await fresh.waitForURL(/\/sign-in/);
    await signIn(fresh, OWNER);
    await fresh.waitForURL(new RegExp(`/mailboxes/${mailboxId}$`)).catch(async (error) => {
      throw new Error(`${error}: at ${fresh.url()}: ${await fresh.locator('main').allTextContents()}`);
    });
    owner.page = fresh;
    await connectAsOwner('Reconnect');
    await context.close();

    expect(await tokenStateInList()).toBe('Valid');
  });

  it('lets no token, secret or password reach support, in any page or API answer', async () => {
    const bodies: string[] = [];
    const pages = [
      '/',
      '/profiles',
      `/profiles/${profileId}`,
      '/mailboxes',
      `/mailboxes/${mailboxId}`,
      `/mailboxes/${mailboxId}/timeline`,
      '/token-status',
      `/token-status?q=${encodeURIComponent(account)}`,
      '/audit',
      '/api/token-status/export',
    ];
    for (const pathname of pages) {
      for (const headers of [{}, { RSC: '1' }] as Record<string, string>[]) {
        const response = await support.context.request.get(pathname, { headers });
        expect(response.status(), pathname).toBeLessThan(400);
        bodies.push(await response.text());
      }
    }
    const apiPaths = [
      '/api/v1/me',
      '/api/v1/profiles',
      `/api/v1/profiles/${profileId}`,
      '/api/v1/mailboxes',
      `/api/v1/mailboxes/${mailboxId}`,
      `/api/v1/mailboxes/${mailboxId}/token`,
      `/api/v1/mailboxes/${mailboxId}/tests`,
      '/api/v1/audit',
      `/api/v1/audit?mailboxId=${mailboxId}`,
    ];
    for (const pathname of apiPaths) bodies.push(JSON.stringify(await api(supportKey, 'GET', pathname)));
    const everything = bodies.join('\n');
    expect(everything).toContain(account);

    // The real values, read from the database once the portal has let go of it.
    await portal.stop();
    Object.assign(process.env, database.env);
    const { db, closeDatabase } = await import('@/db');
    const { oauthGrants } = await import('@/db/schema');
    const { decryptSecret } = await import('@/lib/crypto/secrets');
    const { secretPlace } = await import('@/lib/crypto/secret-place');
    const grants = await db.select().from(oauthGrants);
    await closeDatabase();
    const tokens = grants.flatMap((grant) =>
      (['accessToken', 'refreshToken'] as const).filter((token) => grant[token]).map((token) => ({ stored: grant[token]!, place: secretPlace(oauthGrants[token], grant.id) })),
    );
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const secrets = [
      ...tokens.map((token) => token.stored),
      ...tokens.map((token) => decryptSecret(token.stored, token.place)),
      clientSecret,
      LAB_ACCOUNT_PASSWORD,
      ADMIN.password,
      SUPPORT.password,
      OWNER.password,
      adminKey,
      supportKey,
    ];
    for (const secret of secrets) expect(everything.includes(secret), `a secret ending in …${secret.slice(-4)} was found`).toBe(false);
  });
});
