// Issue 18, item 3: an admin previews a CSV file on the import page, imports it once the preview
// has finished, and finds the mailboxes in the list; the import runs as a job the page follows.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 5b6c7d' };
const OWNER = 'olga@example.org';
const ROWS = 600;

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let page: Page;

beforeAll(async () => {
  database = await createTestDatabase();
  for (const [email, role, password] of [[ADMIN.email, 'admin', ADMIN.password], [OWNER, 'owner', 'owner password 8e9f0a']] as const) {
    const created = await runCli(['user:create', '--email', email, '--role', role, '--password', password], database.env);
    expect(created.exitCode, created.stderr).toBe(0);
  }
  const keyed = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
  const adminKey = keyed.stdout.trim().split('\n').at(-1)!;
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  const response = await fetch(`${portal.url}/api/v1/profiles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Staff Gmail', serverType: 'gmail', clientId: 'staff.apps.googleusercontent.com', clientSecret: 'GOCSPX-staff-secret-4f2a', isDefault: true, mailboxCap: 1000 }),
  });
  expect(response.status).toBe(201);
  ({ page } = await openPage(browser, portal));
  await signIn(page, ADMIN);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await database?.drop();
});

it('previews a file, imports it once the preview has finished, and lists the new mailboxes', async () => {
  const csv = ['address,owner email', ...Array.from({ length: ROWS }, (_, index) => `imported${String(index).padStart(3, '0')}@example.org,${OWNER}`), 'not-an-address,olga@example.org'].join('\n');
  await page.goto('/mailboxes/import');
  const preview = page.getByRole('button', { name: 'Preview' });
  const importButton = page.getByRole('button', { name: 'Import', exact: true });
  await waitForHydration(preview);
  await page.getByLabel('Or paste it').fill(csv);
  expect(await importButton.isDisabled()).toBe(true);

  await preview.click();
  await page.getByText(`Preview: ${ROWS} would be created, 0 skipped, 1 refused. Nothing was saved yet.`).waitFor();
  await page.getByText('Invalid address “not-an-address”.').waitFor();
  await page.getByRole('columnheader', { name: 'Would be' }).waitFor();
  expect(await importButton.isEnabled()).toBe(true);

  // A file changed after its preview is previewed again before it can be imported.
  await page.getByLabel('Or paste it').fill(`${csv}\n`);
  expect(await importButton.isDisabled()).toBe(true);
  await preview.click();
  await page.getByText(`Preview: ${ROWS} would be created, 0 skipped, 1 refused. Nothing was saved yet.`).waitFor();

  await importButton.click();
  await page.getByText(`${ROWS} created, 0 skipped, 1 refused.`).waitFor();
  await page.getByRole('columnheader', { name: 'Result' }).waitFor();
  expect(await importButton.isDisabled()).toBe(true);

  await page.goto('/mailboxes?q=imported599');
  await page.getByRole('link', { name: 'imported599@example.org' }).waitFor();
});
