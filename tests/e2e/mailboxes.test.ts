// Issue 5, acceptance 1: an admin adds a mailbox for an owner and approves it; the owner finds it
// under "My mailboxes" with "Connect to Gmail" as the next step; another owner does not see it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 7c8d9e' };
const OWNER = { email: 'olga@example.org', password: 'owner password 1a2b3c' };
const OTHER = { email: 'oscar@example.org', password: 'other password 4d5e6f' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;

async function signedIn(person: { email: string; password: string }): Promise<Page> {
  const { page } = await openPage(browser, portal);
  await signIn(page, person);
  return page;
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const [person, role] of [[ADMIN, 'admin'], [OWNER, 'owner'], [OTHER, 'owner']] as const) {
    const created = await runCli(['user:create', '--email', person.email, '--role', role, '--password', person.password], database.env);
    expect(created.exitCode, created.stderr).toBe(0);
  }
  const keyed = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
  const adminKey = keyed.stdout.trim().split('\n').at(-1)!;
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  // The profile itself is the profiles screens' business (tests/e2e/profiles.test.ts).
  const response = await fetch(`${portal.url}/api/v1/profiles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Staff Gmail', serverType: 'gmail', clientId: 'staff.apps.googleusercontent.com', clientSecret: 'GOCSPX-staff-secret-4f2a', isDefault: true }),
  });
  expect(response.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await database?.drop();
});

it('takes a mailbox from an admin’s form to its owner’s list, and hides it from another owner', async () => {
  const admin = await signedIn(ADMIN);

  await admin.goto('/mailboxes/new');
  const add = admin.getByRole('button', { name: 'Add mailbox' });
  await waitForHydration(add);
  await admin.getByLabel('Email address').fill('olga@example.org');
  await admin.getByLabel('Owner’s email').fill(OWNER.email);
  await add.click();
  await admin.waitForURL(/\/mailboxes\/[0-9a-f-]{36}$/);
  await admin.getByTestId('next-step').getByText('Waiting for approval').waitFor();

  const approve = admin.getByRole('button', { name: 'Approve address' });
  await waitForHydration(approve);
  await approve.click();
  await admin.getByText('olga@example.org was approved.').waitFor();
  await admin.getByTestId('next-step').getByText('Connect to Gmail').waitFor();

  const owner = await signedIn(OWNER);
  await owner.goto('/mailboxes');
  await owner.getByRole('heading', { name: 'My mailboxes' }).waitFor();
  const entry = owner.getByRole('link', { name: /olga@example\.org/ });
  await entry.getByText('Connect to Gmail').waitFor();
  await entry.click();
  await owner.getByRole('button', { name: 'Connect to Gmail' }).waitFor();

  const other = await signedIn(OTHER);
  await other.goto('/mailboxes');
  await other.getByText('No mailbox for you yet').waitFor();
  const response = await other.goto(new URL(owner.url()).pathname);
  expect(response?.status()).toBe(404);
});
