// Issue 2, acceptance 1: a fresh portal leads its first visitor through setup to the first admin,
// and closes setup once that admin exists, across a restart.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchBrowser, navigationLabels, openPage, signIn, submitSignIn, waitForHydration } from '../helpers/browser';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'first.admin@example.org', name: 'First Admin', password: 'correct horse battery staple' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
/** Every portal started on the database, the current one last: their logs are all checked. */
const portals: Portal[] = [];
const contexts: { close: () => Promise<void> }[] = [];

async function visitor(): Promise<Page> {
  const { context, page } = await openPage(browser, portal);
  contexts.push(context);
  return page;
}

async function fillSetup(page: Page, values: { email: string; password: string; confirmPassword: string }): Promise<void> {
  const button = page.getByRole('button', { name: 'Create admin account' });
  await waitForHydration(button);
  await page.getByLabel('Your email').fill(values.email);
  await page.getByLabel('Your name (optional)').fill(ADMIN.name);
  await page.getByLabel('Password', { exact: true }).fill(values.password);
  await page.getByLabel('Repeat the password').fill(values.confirmPassword);
  await button.click();
}

/** The error shown under a field, checked to be the one the field announces. */
async function fieldError(page: Page, label: string, fieldName: string): Promise<string> {
  const error = page.locator(`#${fieldName}-error`);
  await error.waitFor();
  const describedBy = await page.getByLabel(label, { exact: true }).getAttribute('aria-describedby');
  expect(describedBy?.split(' ')).toContain(`${fieldName}-error`);
  return (await error.textContent()) ?? '';
}

beforeAll(async () => {
  database = await createTestDatabase();
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  portals.push(portal);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await Promise.all([browser?.close(), ...portals.map((started) => started.stop())]);
  await database?.drop();
});

describe('first run', () => {
  test('a fresh portal sends its first visitor to setup', async () => {
    const page = await visitor();
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Welcome to Mailroom' }).waitFor();

    await page.goto('/sign-in');
    await page.waitForURL('**/setup');
  });

  test('invalid setup input shows errors under the fields and creates nothing', async () => {
    const page = await visitor();
    await page.goto('/setup');

    await fillSetup(page, { email: ADMIN.email, password: 'too short', confirmPassword: 'too short' });
    expect(await fieldError(page, 'Password', 'password')).toContain('Use at least 12 characters.');
    await page.getByRole('alert').filter({ hasText: 'Some fields need your attention.' }).waitFor();
    expect(await page.getByLabel('Your email').inputValue()).toBe(ADMIN.email);

    await fillSetup(page, { email: ADMIN.email, password: ADMIN.password, confirmPassword: `${ADMIN.password}!` });
    expect(await fieldError(page, 'Repeat the password', 'confirmPassword')).toContain('The two passwords differ.');
    expect(await page.locator('#password-error').count()).toBe(0);

    // Nothing was created: setup is still open and sign-in still sends people to it.
    await page.goto('/sign-in');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Welcome to Mailroom' }).waitFor();
  });

  test('valid setup creates the admin and signs them in, and they can sign in again later', async () => {
    const page = await visitor();
    await page.goto('/setup');
    await fillSetup(page, { email: ADMIN.email, password: ADMIN.password, confirmPassword: ADMIN.password });

    // Issue 16, item 5: no second form to fill in, the admin lands on the portal signed in.
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await navigationLabels(page)).toEqual(['Overview', 'Profiles', 'Mailboxes', 'Token status', 'Users', 'Audit', 'Settings', 'Account']);

    const later = await visitor();
    await submitSignIn(later, { email: ADMIN.email, password: 'not the right password' });
    await later.getByText('The email or password is wrong, or the account is deactivated.').waitFor();
    expect(new URL(later.url()).pathname).toBe('/sign-in');

    await signIn(later, { email: ADMIN.email, password: ADMIN.password });
    await later.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(later.url()).pathname).toBe('/');
  });

  test('setup is closed once the admin exists', async () => {
    const page = await visitor();
    const response = await page.goto('/setup');
    await page.waitForURL('**/sign-in');
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Welcome to Mailroom' }).count()).toBe(0);
  });

  test('a second portal on the same database keeps the admin', async () => {
    await portal.stop();
    portal = await startPortal({ database });
    portals.push(portal);

    const page = await visitor();
    await page.goto('/setup');
    await page.waitForURL('**/sign-in');
    await signIn(page, { email: ADMIN.email, password: ADMIN.password });
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  test('no password appears in the server logs', () => {
    const leaks = portals.flatMap((started) => started.logs()).filter((line) => line.includes(ADMIN.password) || line.includes('too short'));
    expect(leaks).toEqual([]);
  });
});
