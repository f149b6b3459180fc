// Issue 7, acceptance 1 and 5: the owner clicks "Test and activate" on a connected, approved
// mailbox, watches the steps turn green and the mailbox become Active; the lab's sink holds the
// test message, and the password appears in no page, API answer or log.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { createUsersWithKey } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { portalApi, startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 3e9d1a' };
const OWNER = { email: 'owner@example.org', password: 'owner password 6b2f0c' };
const run = randomBytes(3).toString('hex');
const MAILBOX = { address: `frank-${run}@imap.lab.test`, password: `lab-pw-${randomBytes(8).toString('hex')}` };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let context: BrowserContext;
let page: Page;
let apiKey = '';
let mailboxId = '';

/** The portal's HTTP API with the admin's key (both known once beforeAll has run). */
const api = (method: string, route: string, body?: unknown) => portalApi(portal, apiKey)(method, route, body);

describe.skipIf(!labIsAvailable)('Test and activate in the browser', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    apiKey = await createUsersWithKey(
      [
        { ...ADMIN, role: 'admin' },
        { ...OWNER, role: 'owner' },
      ],
      database.env,
    );
    await labControl.createAccount({ email: MAILBOX.address, provider: 'password', password: MAILBOX.password });

    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, trustLabCa: true })]);

    const { generic } = getLab().mail;
    const profile = await api('POST', '/api/v1/profiles', {
      name: 'Lab IMAP',
      serverType: 'custom',
      internalServer: true,
      incoming: { protocol: 'imap', host: generic.imap.tls.host, port: generic.imap.tls.port, security: 'tls' },
      outgoing: { host: generic.smtp.starttls.host, port: generic.smtp.starttls.port, security: 'starttls' },
    });
    const mailbox = await api('POST', '/api/v1/mailboxes', { address: MAILBOX.address, ownerEmail: OWNER.email, profileId: profile.json.id });
    mailboxId = String(mailbox.json.id);
    await api('POST', `/api/v1/mailboxes/${mailboxId}/approve`);
    await api('POST', `/api/v1/mailboxes/${mailboxId}/credentials`, { password: MAILBOX.password });

    ({ context, page } = await openPage(browser, portal));
    await signIn(page, OWNER);
  });

  afterAll(async () => {
    await context?.close();
    await Promise.all([browser?.close(), portal?.stop()]);
    await database?.drop();
  });

  test('the owner watches the steps turn green and the mailbox become Active; the sink holds the test message', async () => {
    const bodies: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(portal.url)) void response.text().then((text) => bodies.push(text), () => undefined);
    });
    await page.goto(`/mailboxes/${mailboxId}`);
    const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Test and activate' }) });
    const button = panel.getByRole('button', { name: 'Test and activate' });
    await waitForHydration(button);
    await panel.getByLabel('Also send a test message to the mailbox itself').check();
    await button.click();

    await panel.getByTestId('test-verdict').getByText('Active', { exact: true }).waitFor();
    const incoming = panel.getByTestId('test-incoming');
    const outgoing = panel.getByTestId('test-outgoing');
    expect(await incoming.locator('li').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-ok')} ${item.getAttribute('data-step')}`))).toEqual(
      ['Name resolution', 'TCP connect', 'TLS', 'Greeting and capabilities', 'Authentication', 'Open INBOX'].map((name) => `true ${name}`),
    );
    expect(await outgoing.locator('li').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-ok')} ${item.getAttribute('data-step')}`))).toEqual(
      ['Name resolution', 'TCP connect', 'TLS', 'Greeting and capabilities', 'Authentication', 'Envelope', 'Test message'].map((name) => `true ${name}`),
    );
    // The page refreshes its facts once the verdict is in.
    await page.getByTestId('next-step').getByText('Active', { exact: true }).waitFor();

    const received = await labControl.receivedMessages({ to: MAILBOX.address });
    expect(received.map((message) => message.subject)).toContain('Mailroom connection test');

    const history = await api('GET', `/api/v1/mailboxes/${mailboxId}/tests`);
    expect(history.json).toMatchObject({ data: [{ ok: true, activated: true, incoming: { status: 'success' }, outgoing: { status: 'success' } }], nextCursor: null });
    const rerun = await api('POST', `/api/v1/mailboxes/${mailboxId}/test`, {});
    expect(rerun.json).toMatchObject({ ok: true, activated: true });

    const shown = [...bodies, await page.content(), history.text, rerun.text, portal.logs().join('\n')].join('\n');
    expect(shown).not.toContain(MAILBOX.password);
    expect(shown).not.toContain(Buffer.from(MAILBOX.password).toString('base64'));
  });
});
