// Issue 16, acceptance 2, 3 and 4 (English): the main pages fit a phone (390 px) and a laptop
// (1280 px) without sideways scrolling, with screenshots of each kept for people to look at; a failed
// test, a refused notification and a wrong password are never shown in a success colour; axe-core
// finds no serious or critical violation. One browser, one signed-in context resized per width.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seriousViolations } from '../helpers/accessibility';
import { launchBrowser, openPage, signIn, submitSignIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { portalApi, startPortal, type Portal } from '../helpers/portal';
import { repeatedSentences } from '../helpers/page-text';

const ADMIN = { email: 'admin@example.org', password: 'admin password 5k2m8n' };
const run = randomBytes(3).toString('hex');
// A long address on purpose: it must be truncated or broken, never push the page sideways.
const MAILBOX = { address: `accounts-payable-and-receivables-${run}@imap.lab.test`, password: `lab-pw-${randomBytes(8).toString('hex')}` };
const WIDTHS = [390, 1280] as const;
const SCREENS = path.resolve('test-results/screens');

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let admin: { context: BrowserContext; page: Page };
let visitor: { context: BrowserContext; page: Page };
let apiKey = '';
let mailboxId = '';

/** The portal's HTTP API with the admin's key (both known once beforeAll has run). */
const api = (method: string, route: string, body?: unknown) => portalApi(portal, apiKey)(method, route, body);

/** The main pages, and the other lists this work laid out, by name and path (the sign-in page is seen signed out). */
const mainPages = () => [
  { name: 'mailboxes', path: '/mailboxes' },
  { name: 'mailbox', path: `/mailboxes/${mailboxId}` },
  { name: 'profiles', path: '/profiles' },
  { name: 'profile-form', path: '/profiles/new' },
  { name: 'token-status', path: '/token-status' },
  { name: 'timeline', path: `/mailboxes/${mailboxId}/timeline` },
  { name: 'audit', path: '/audit' },
  { name: 'settings', path: '/settings' },
];

/**
 * How far the page reaches past the viewport, or a part of it (a table) past its own box, in CSS
 * pixels: 0 when nothing scrolls sideways.
 */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => {
    const scrollers = [...document.querySelectorAll('body *:not(input, textarea, select)')].filter((element) =>
      ['auto', 'scroll'].includes(getComputedStyle(element).overflowX),
    );
    return Math.max(document.documentElement.scrollWidth - window.innerWidth, ...scrollers.map((element) => element.scrollWidth - element.clientWidth));
  });

describe.skipIf(!labIsAvailable)('every width, signals that never contradict', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const created = await runCli(['user:create', '--email', ADMIN.email, '--role', 'admin', '--password', ADMIN.password], database.env);
    expect(created, created.stderr).toMatchObject({ exitCode: 0 });
    const key = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
    apiKey = key.stdout.trim().split('\n').at(-1)!;
    await labControl.createAccount({ email: MAILBOX.address, provider: 'password', password: MAILBOX.password });

    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, trustLabCa: true })]);

    const { generic } = getLab().mail;
    const profile = await api('POST', '/api/v1/profiles', {
      name: 'Lab IMAP for the accounting department and its shared mailboxes',
      serverType: 'custom',
      internalServer: true,
      incoming: { protocol: 'imap', host: generic.imap.tls.host, port: generic.imap.tls.port, security: 'tls' },
      outgoing: { host: generic.smtp.starttls.host, port: generic.smtp.starttls.port, security: 'starttls' },
    });
    const mailbox = await api('POST', '/api/v1/mailboxes', { address: MAILBOX.address, ownerEmail: ADMIN.email, profileId: profile.json.id });
    mailboxId = String(mailbox.json.id);
    await api('POST', `/api/v1/mailboxes/${mailboxId}/approve`);
    // Not the lab account's password: the server refuses it, so tests fail and notifications are refused.
    await api('POST', `/api/v1/mailboxes/${mailboxId}/credentials`, { password: `wrong-${MAILBOX.password}` });

    [admin, visitor] = await Promise.all([openPage(browser, portal), openPage(browser, portal)]);
    await signIn(admin.page, ADMIN);
    mkdirSync(SCREENS, { recursive: true });
    console.log(`Screenshots: ${SCREENS}`);
  });

  afterAll(async () => {
    await Promise.all([admin?.context.close(), visitor?.context.close()]);
    await Promise.all([browser?.close(), portal?.stop()]);
    await database?.drop();
  });

  describe('a wrong password, a failed test and a refused notification', () => {
    test('a wrong password is shown as a failure', async () => {
      await submitSignIn(visitor.page, { email: ADMIN.email, password: 'not the password' });
      const message = visitor.page.locator('[data-tone]').filter({ hasText: 'The email or password is wrong' });
      await message.waitFor();
      expect(await message.getAttribute('data-tone')).toBe('failure');
    });

    test('a failed test is shown as a failure, its verdict too', async () => {
      const { page } = admin;
      await page.goto(`/mailboxes/${mailboxId}`);
      const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Test and activate' }) });
      const button = panel.getByRole('button', { name: 'Test and activate' });
      await waitForHydration(button);
      await button.click();
      await panel.getByTestId('test-verdict').getByText('Failing', { exact: true }).waitFor();
      expect(await panel.getByTestId('test-verdict').locator('[data-tone]').getAttribute('data-tone')).toBe('failure');
      expect(await panel.getByTestId('error-incoming').locator('[data-tone]').getAttribute('data-tone')).toBe('failure');
      // The page's facts agree once it refreshes after the verdict.
      await page.getByTestId('next-step').getByText('Failing', { exact: false }).waitFor();
      expect(await page.getByTestId('next-step').locator('[data-tone]').getAttribute('data-tone')).toBe('failure');
      // The refused password is not "connected", and the page says why once: under “Where it stands”, not again per direction.
      expect(await page.getByTestId('connection').locator('[data-tone]').getAttribute('data-tone')).toBe('failure');
      await page.getByTestId('status-reason').waitFor();
      expect(await repeatedSentences(page)).toEqual([]);
    });

    test('a notification the sender’s server refuses is shown as a failure, from Settings and from a reconnect link', async () => {
      const { page } = admin;
      await page.goto('/settings');
      const save = page.getByRole('button', { name: 'Save sender' });
      await waitForHydration(save);
      await page.getByLabel('Send notifications from').fill(MAILBOX.address);
      await save.click();
      const saved = page.getByText(`Notifications are now sent from ${MAILBOX.address}`, { exact: false });
      await saved.waitFor();
      expect(await saved.locator('xpath=ancestor::*[@data-tone][1]').getAttribute('data-tone')).toBe('success');

      const send = page.getByRole('button', { name: 'Send me a test notification' });
      await waitForHydration(send);
      await send.click();
      const refused = page.getByRole('alert').filter({ hasText: 'The test notification was not sent' });
      await refused.waitFor();
      expect(await refused.getAttribute('data-tone')).toBe('failure');

      await page.goto(`/mailboxes/${mailboxId}/timeline`);
      const link = page.getByRole('button', { name: 'Send a reconnect link' });
      await waitForHydration(link);
      await link.click();
      const notMailed = page.getByText('The link was not mailed:', { exact: false });
      await notMailed.waitFor();
      expect(await notMailed.locator('xpath=ancestor::*[@data-tone][1]').getAttribute('data-tone')).toBe('failure');
    });
  });

  describe.each(WIDTHS)('at %i px', (width) => {
    beforeAll(async () => {
      await Promise.all([admin.page, visitor.page].map((page) => page.setViewportSize({ width, height: 900 })));
    });

    test('the sign-in page fits, is saved as a screenshot and has no serious accessibility violation', async () => {
      const { page } = visitor;
      await page.goto('/sign-in');
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await page.screenshot({ path: path.join(SCREENS, `sign-in-${width}.png`), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('every main page fits, is saved as a screenshot and has no serious accessibility violation', async () => {
      const { page } = admin;
      const found: Record<string, { overflow: number; violations: string[] }> = {};
      for (const { name, path: pathname } of mainPages()) {
        await page.goto(pathname);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.screenshot({ path: path.join(SCREENS, `${name}-${width}.png`), fullPage: true });
        found[name] = { overflow: await sidewaysOverflow(page), violations: await seriousViolations(page) };
      }
      expect(found).toEqual(Object.fromEntries(mainPages().map(({ name }) => [name, { overflow: 0, violations: [] }])));
    });
  });

  describe('at 390 px', () => {
    beforeAll(async () => {
      await admin.page.setViewportSize({ width: 390, height: 800 });
    });

    test('the navigation is a drawer: the button opens it with focus kept inside, Escape, a click outside and a link close it', async () => {
      const { page } = admin;
      await page.goto('/mailboxes');
      const open = page.getByRole('button', { name: 'Open navigation' });
      await waitForHydration(open);
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

      await open.click();
      const drawer = page.getByRole('dialog', { name: 'Mailroom' });
      await drawer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profiles' }).waitFor();
      expect(await drawer.evaluate((element) => element.contains(document.activeElement))).toBe(true);
      // Past its last link, Tab comes back to its first control rather than to the page behind.
      for (let press = 0; press < 12; press += 1) await page.keyboard.press('Tab');
      expect(await drawer.evaluate((element) => element.contains(document.activeElement))).toBe(true);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      expect(await open.evaluate((element) => element === document.activeElement)).toBe(true);

      await open.click();
      await drawer.waitFor();
      // Radix starts listening for a click outside once the opened drawer has taken focus, a task later:
      // a person's click never comes that fast, a script's can.
      await page.waitForFunction(() => document.activeElement?.closest('[role="dialog"]') != null);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
      await page.mouse.click(380, 400);
      await drawer.waitFor({ state: 'detached' });

      await open.click();
      await drawer.getByRole('link', { name: 'Profiles' }).click();
      await page.waitForURL(/\/profiles$/);
      await drawer.waitFor({ state: 'detached' });
    });

    test('lists are cards: each value is labelled with its column', async () => {
      const { page } = admin;
      await page.goto('/token-status');
      const card = page.locator(`tr[data-mailbox="${MAILBOX.address}"]`);
      const labels = await card.locator('td[data-label]:visible').evaluateAll((cells) =>
        cells.map((cell) => getComputedStyle(cell, '::before').content.replaceAll('"', '')),
      );
      expect(labels).toEqual(['Mailbox', 'Token', 'Access token expires', 'Last test', 'Last error']);
    });
  });

  describe('at 1280 px', () => {
    beforeAll(async () => {
      await admin.page.setViewportSize({ width: 1280, height: 900 });
    });

    test('token status shows its most useful columns and keeps the ones a person adds', async () => {
      const { page } = admin;
      await page.goto('/token-status');
      const headers = () => page.locator('thead th:visible').allTextContents();
      expect(await headers()).toEqual(['Mailbox', 'Token', 'Access token expires', 'Last test', 'Last error']);

      const menu = page.getByRole('button', { name: 'Columns' });
      await waitForHydration(menu);
      await menu.click();
      await page.getByRole('menuitemcheckbox', { name: 'Consent' }).click();
      await page.keyboard.press('Escape');
      expect(await headers()).toContain('Consent');

      await page.reload();
      expect(await headers()).toEqual(['Mailbox', 'Token', 'Access token expires', 'Consent', 'Last test', 'Last error']);
      expect(await sidewaysOverflow(page)).toBe(0);
    });
  });
});
