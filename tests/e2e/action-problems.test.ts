// Issue 15, acceptance 2: a form whose action fails with a hint shows the hint to the person, under
// the message. The actions are exported from their 'use server' file as wrapped constants
// (`export const xAction = formAction(...)`): submitting them here also proves Next.js serves them.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAdminSession, type AdminSession } from '../helpers/admin-session';
import { waitForHydration } from '../helpers/browser';

const ADMIN = { email: 'admin@example.org', password: 'admin password 31c7aa' };

let session: AdminSession;
let page: Page;

beforeAll(async () => {
  session = await startAdminSession({ admin: ADMIN });
  ({ page } = session);
});

afterAll(async () => {
  await session?.stop();
});

describe('a form that fails', () => {
  test('shows what went wrong and, under it, what to do next', async () => {
    await page.goto('/users');
    const change = page.locator('form').filter({ has: page.getByLabel(`Role of ${ADMIN.email}`) }).getByRole('button', { name: 'Change role' });
    await waitForHydration(change);
    await page.getByLabel(`Role of ${ADMIN.email}`).selectOption('owner');
    await change.click();

    const problem = page.getByRole('alert').filter({ hasText: 'This is the last active admin' });
    await problem.waitFor();
    expect(await problem.locator('p').allTextContents()).toEqual([
      'This is the last active admin: Mailroom would be left without one.',
      'Make another user admin first (their “Change role”), then change this one.',
    ]);
  });

  test('and a form of the same page succeeds with its message', async () => {
    await page.getByLabel('Email', { exact: true }).fill('second.admin@example.org');
    await page.getByLabel('Role', { exact: true }).selectOption('admin');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('second.admin@example.org was added as admin.').waitFor();
  });
});
