// Issue 16, item 5 in a browser: an admin adds a user with an invitation (no notification sender,
// so the link is shown once), the person opens it, sets a password and lands signed in; the link
// then says it was used, and the password works at sign-in.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchBrowser, navigationLabels, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'invite.admin@example.org', password: 'admin password 3f9a2c' };
const INVITED = { email: 'invited.support@example.org', password: 'my own password 71be0d' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let invitationUrl = '';
const contexts: { close: () => Promise<void> }[] = [];

async function visitor(): Promise<Page> {
  const { context, page } = await openPage(browser, portal);
  contexts.push(context);
  return page;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const created = await runCli(['user:create', '--email', ADMIN.email, '--role', 'admin', '--password', ADMIN.password], database.env);
  expect(created.exitCode, created.stderr).toBe(0);
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

describe('invitations', () => {
  test('without a password nor an invitation the Users page refuses the user and says why', async () => {
    const page = await visitor();
    await signIn(page, ADMIN);
    await page.goto('/users');
    const add = page.getByRole('button', { name: 'Add user' });
    await waitForHydration(add);
    await page.getByLabel('Email', { exact: true }).fill('nobody@example.org');
    await page.getByLabel('Send an invitation').uncheck();
    await add.click();
    await page.locator('#password-error').filter({ hasText: 'single sign-on is not configured' }).waitFor();
    expect(await page.getByText('nobody@example.org', { exact: true }).count()).toBe(0);
  });

  test('an admin invites a user and, with no sender set, is shown the link once', async () => {
    const page = await visitor();
    await signIn(page, ADMIN);
    await page.goto('/users');
    const add = page.getByRole('button', { name: 'Add user' });
    await waitForHydration(add);
    await page.getByLabel('Email', { exact: true }).fill(INVITED.email);
    await page.getByLabel('Role', { exact: true }).selectOption('support');
    await add.click();
    await page.getByText(`Give ${INVITED.email} the link below yourself`, { exact: false }).waitFor();
    invitationUrl = (await page.getByTestId('password-link').textContent()) ?? '';
    expect(invitationUrl).toMatch(new RegExp(`^${portal.url}/invitation/[A-Za-z0-9_-]{40,}$`));

    await page.reload();
    await page.getByText(INVITED.email, { exact: true }).first().waitFor();
    expect(await page.getByTestId('password-link').count()).toBe(0);
  });

  test('the invited person sets a password through the link and lands signed in', async () => {
    const page = await visitor();
    await page.goto(invitationUrl);
    await page.getByRole('heading', { name: 'Welcome to Mailroom' }).waitFor();
    await page.getByText(INVITED.email).waitFor();
    const submit = page.getByRole('button', { name: 'Set password and sign in' });
    await waitForHydration(submit);

    await page.getByLabel('New password').fill(INVITED.password);
    await page.getByLabel('Repeat the password').fill(`${INVITED.password}!`);
    await submit.click();
    await page.locator('#confirmPassword-error').filter({ hasText: 'The two passwords differ.' }).waitFor();

    await page.getByLabel('New password').fill(INVITED.password);
    await page.getByLabel('Repeat the password').fill(INVITED.password);
    await submit.click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await navigationLabels(page)).toContain('Account');
  });

  test('the used link says so and changes nothing; the password works at sign-in', async () => {
    const page = await visitor();
    await page.goto(invitationUrl);
    await page.getByRole('alert').filter({ hasText: 'This link was already used' }).waitFor();
    expect(await page.getByLabel('New password').count()).toBe(0);

    await signIn(page, INVITED);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  test('no password or link token appears in the server logs', () => {
    const token = invitationUrl.split('/').at(-1)!;
    const leaks = portal.logs().filter((line) => line.includes(INVITED.password) || line.includes(ADMIN.password) || line.includes(token));
    expect(leaks).toEqual([]);
  });
});
