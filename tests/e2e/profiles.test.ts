// Issue 4, acceptance 1 and 4: an admin creates Gmail, Microsoft 365 and Custom profiles by entering
// only what a person knows, and the client secret never reaches a page, an RSC payload or the logs.
// Issue 12, point 1: the form warns before a change of destination clears the secret, and says so after.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { getLab } from '../helpers/lab';
import { runCli } from '../helpers/cli';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 5c8e1d' };
const GMAIL_SECRET = 'GOCSPX-e2e-gmail-secret-4f2a';
const REPLACED_SECRET = 'GOCSPX-e2e-replaced-secret-77aa';
const TENANT = '9d3f6a2b-1c4e-4f5a-8b7c-0e1d2c3b4a59';
const secrets = [GMAIL_SECRET, REPLACED_SECRET];

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let context: BrowserContext;
let page: Page;
const profilePaths: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const created = await runCli(['user:create', '--email', ADMIN.email, '--role', 'admin', '--password', ADMIN.password], database.env);
  expect(created, created.stderr).toMatchObject({ exitCode: 0 });
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  ({ context, page } = await openPage(browser, portal));
  await signIn(page, ADMIN);
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

async function openNewProfileForm(): Promise<void> {
  await page.goto('/profiles/new');
  await page.getByRole('heading', { name: 'New server profile' }).waitFor();
  await waitForHydration(page.getByRole('button', { name: 'Create profile' }));
}

async function openAdvanced(): Promise<void> {
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Incoming host').waitFor({ state: 'visible' });
}

const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();

async function submitAndOpenDetail(name: string): Promise<void> {
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.waitForURL(/\/profiles\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name }).waitFor();
  profilePaths.push(new URL(page.url()).pathname);
}

/** The text of the row labelled `label` on a profile's detail page. */
async function detail(label: string): Promise<string> {
  const row = page.locator('dl > div').filter({ has: page.getByText(label, { exact: true }) });
  return ((await row.locator('dd').textContent()) ?? '').trim();
}

describe('server profiles', () => {
  test('a Gmail profile needs only a name, a client id and a secret', async () => {
    await openNewProfileForm();
    expect(await page.getByLabel('Gmail', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Profile name').fill('Gmail sales');
    await page.getByLabel('Client id').fill('sales.apps.googleusercontent.com');
    await page.getByLabel('Client secret', { exact: true }).fill(GMAIL_SECRET);
    expect(await page.getByTestId('redirect-uri').textContent()).toBe(`${portal.url}/api/oauth/callback`);
    await page.getByText('refresh tokens that expire after 7 days', { exact: false }).waitFor();

    await openAdvanced();
    expect({
      incomingHost: await value('Incoming host'),
      incomingPort: await value('Incoming port'),
      incomingSecurity: await value('Incoming security'),
      outgoingHost: await value('Outgoing host'),
      outgoingPort: await value('Outgoing port'),
      outgoingSecurity: await value('Outgoing security'),
      authorization: await value('Authorization endpoint'),
      token: await value('Token endpoint'),
      revocation: await value('Revocation endpoint (optional)'),
      userinfo: await value('User info endpoint (optional)'),
      scopes: await value('Scopes'),
      cap: await value('Mailbox cap'),
    }).toEqual({
      incomingHost: 'imap.gmail.com',
      incomingPort: '993',
      incomingSecurity: 'tls',
      outgoingHost: 'smtp.gmail.com',
      outgoingPort: '465',
      outgoingSecurity: 'tls',
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      revocation: 'https://oauth2.googleapis.com/revoke',
      userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
      scopes: 'https://mail.google.com/\nopenid\nemail',
      cap: '100',
    });

    await submitAndOpenDetail('Gmail sales');
    expect(await detail('Client secret')).toBe('Set, ends in …4f2a');
    expect(await detail('Incoming (IMAP)')).toBe('imap.gmail.com:993, TLS');
    expect(await detail('Outgoing (SMTP)')).toBe('smtp.gmail.com:465, TLS');
    expect(await detail('Token endpoint')).toBe('https://oauth2.googleapis.com/token');
    expect(await detail('Scopes')).toBe('https://mail.google.com/openidemail');
    expect(await detail('Mailboxes')).toMatch(/^0 \/ 100/);
  });

  test('a Microsoft 365 profile builds its tenant’s endpoints, the device endpoint included', async () => {
    await openNewProfileForm();
    await page.getByLabel('Microsoft 365', { exact: true }).check();
    await page.getByLabel('Profile name').fill('Contoso');
    await page.getByLabel('Authentication type').selectOption('oauth2_device');
    await page.getByLabel('Tenant').fill(TENANT);
    await page.getByLabel('Client id').fill('3f2e1d0c-aaaa-bbbb-cccc-123456789abc');
    await page.getByLabel('Public client (no secret)').check();

    await openAdvanced();
    const base = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0`;
    expect(await value('Authorization endpoint')).toBe(`${base}/authorize`);
    expect(await value('Token endpoint')).toBe(`${base}/token`);
    expect(await value('Device authorization endpoint')).toBe(`${base}/devicecode`);
    expect((await value('Scopes')).split('\n')).toEqual([
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
      'openid',
      'email',
      'profile',
    ]);
    expect([await value('Incoming host'), await value('Outgoing host'), await value('Outgoing port')]).toEqual([
      'outlook.office365.com',
      'smtp.office365.com',
      '587',
    ]);
    expect(await value('Mailbox cap')).toBe('');

    await submitAndOpenDetail('Contoso');
    expect(await detail('Tenant')).toBe(TENANT);
    expect(await detail('Device endpoint')).toBe(`${base}/devicecode`);
    expect(await detail('Client type')).toBe('Public (no secret)');
    expect(await detail('Mailboxes')).toBe('0 (no cap)');
  });

  test('a Custom profile points at the mail lab, once marked as an internal server', async () => {
    const generic = getLab().mail.generic;
    await openNewProfileForm();
    await page.getByLabel('Custom (IMAP or POP3 and SMTP)', { exact: true }).check();
    await page.getByLabel('Profile name').fill('Mail lab');
    await page.getByLabel('Incoming host').fill(generic.imap.tls.host);
    await page.getByLabel('Incoming port').fill(String(generic.imap.tls.port));
    await page.getByLabel('Outgoing host').fill(generic.smtp.starttls.host);
    await page.getByLabel('Outgoing port').fill(String(generic.smtp.starttls.port));
    await page.getByLabel('Outgoing security').selectOption('starttls');

    await page.getByRole('button', { name: 'Create profile' }).click();
    const error = page.locator('[id="incoming.host-error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/loopback or private address/);
    expect((await page.getByLabel('Incoming host').getAttribute('aria-describedby'))?.split(' ')).toContain('incoming.host-error');
    expect(new URL(page.url()).pathname).toBe('/profiles/new');

    await page.getByLabel('Internal server').check();
    await submitAndOpenDetail('Mail lab');
    expect(await detail('Incoming (IMAP)')).toBe(`${generic.imap.tls.host}:${generic.imap.tls.port}, TLS`);
    expect(await detail('Outgoing (SMTP)')).toBe(`${generic.smtp.starttls.host}:${generic.smtp.starttls.port}, STARTTLS`);
    expect(await detail('Internal server')).toBe('Yes');
  });

  test('the secret is write-only: editing keeps it unless replaced, and shows only its last characters', async () => {
    const gmailPath = profilePaths[0]!;
    await page.goto(`${gmailPath}/edit`);
    const save = page.getByRole('button', { name: 'Save changes' });
    await waitForHydration(save);
    expect(await page.getByLabel('Client secret', { exact: true }).inputValue()).toBe('');
    await page.getByText('Set, ends in …4f2a', { exact: false }).waitFor();
    await page.getByLabel('Client secret', { exact: true }).fill(REPLACED_SECRET);
    await save.click();
    await page.waitForURL(`**${gmailPath}`);
    await page.getByRole('heading', { name: 'Gmail sales' }).waitFor();
    expect(await detail('Client secret')).toBe('Set, ends in …77aa');
  });

  test('changing where the secret goes warns before saving, clears the secret and says so', async () => {
    const gmailPath = profilePaths[0]!;
    await page.goto(`${gmailPath}/edit`);
    const save = page.getByRole('button', { name: 'Save changes' });
    await waitForHydration(save);
    await openAdvanced();
    expect(await page.getByTestId('destination-warning').count()).toBe(0);
    await page.getByLabel('Token endpoint', { exact: true }).fill('https://www.googleapis.com/oauth2/v4/token');
    const warning = page.getByTestId('destination-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('The client secret must be entered again because the token endpoint changed');

    await save.click();
    await page.getByText('The client secret was cleared: enter it again, because the token endpoint changed.', { exact: false }).waitFor();
    await page.goto(gmailPath);
    await page.getByRole('heading', { name: 'Gmail sales' }).waitFor();
    expect(await detail('Client secret')).toBe('Not set');
    expect(await detail('Token endpoint')).toBe('https://www.googleapis.com/oauth2/v4/token');
    await page.getByText('The client secret is not set', { exact: false }).waitFor();
  });

  test('a certificate is trusted by its SHA-256 fingerprint, for the profile’s own hosts', async () => {
    const labPath = profilePaths[2]!;
    const host = getLab().mail.generic.imap.tls.host;
    const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
    await page.goto(`${labPath}/edit`);
    const save = page.getByRole('button', { name: 'Save changes' });
    await waitForHydration(save);
    const field = page.getByLabel('Trusted certificates (optional)');
    await field.fill(`other.example.org ${fingerprint}`);
    await save.click();
    const error = page.locator('[id="trustedCertificates-error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Line 1: Accept certificates only for this profile's servers/);

    await field.fill(`${host} ${fingerprint}`);
    await save.click();
    await page.waitForURL(`**${labPath}`);
    expect(await detail('Trusted certificates')).toBe(`${host}: SHA-256 ${fingerprint.replaceAll(':', '').toLowerCase()}`);
  });

  test('no page, RSC payload or log line contains a client secret', async () => {
    const cookie = (await context.cookies()).map(({ name, value: cookieValue }) => `${name}=${cookieValue}`).join('; ');
    // The browser's language too: without it the portal answers in its default language, French.
    const browserHeaders = { cookie, 'accept-language': 'en-US' };
    const paths = ['/profiles', '/profiles/new', ...profilePaths, ...profilePaths.map((path) => `${path}/edit`)];
    for (const path of paths) {
      for (const headers of [browserHeaders, { ...browserHeaders, RSC: '1' }] as Record<string, string>[]) {
        // Next.js answers an RSC request without its cache-busting parameter with a redirect to it.
        const response = await fetch(`${portal.url}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(Object.keys(headers))}`).toBe(200);
        expect(new URL(response.url).pathname).toBe(path);
        if (headers.RSC) expect(response.headers.get('content-type')).toMatch(/text\/x-component/);
        const body = await response.text();
        // The page itself, not the sign-in page.
        expect(body).toMatch(/Gmail sales|Contoso|Mail lab|New server profile/);
        expect(secrets.filter((secret) => body.includes(secret)), path).toEqual([]);
      }
    }
    const leaks = portal.logs().filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
