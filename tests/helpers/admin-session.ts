// The usual start of a browser test: a database of its own with one admin, the portal on it, a browser
// and one page in the language asked for. `stop` ends them in order.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser, openPage, signIn } from './browser';
import { runCli } from './cli';
import { createTestDatabase, type TestDatabase } from './database';
import { startPortal, type Portal } from './portal';

export type AdminSession = {
  admin: { email: string; password: string };
  database: TestDatabase;
  portal: Portal;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  stop: () => Promise<void>;
};

export async function startAdminSession({
  admin,
  locale,
  signedIn = true,
}: {
  admin: { email: string; password: string };
  /** The browser's locale (`fr-FR`): the page, the sign-in form included, reads in its language. */
  locale?: string;
  signedIn?: boolean;
}): Promise<AdminSession> {
  const database = await createTestDatabase();
  const created = await runCli(['user:create', '--email', admin.email, '--role', 'admin', '--password', admin.password], database.env);
  expect(created, created.stderr).toMatchObject({ exitCode: 0 });
  const [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  const { context, page } = await openPage(browser, portal, { locale });
  if (signedIn) await signIn(page, { ...admin, language: locale?.startsWith('fr') ? 'fr' : 'en' });
  const stop = async () => {
    await context.close();
    await Promise.all([browser.close(), portal.stop()]);
    await database.drop();
  };
  return { admin, database, portal, browser, context, page, stop };
}
