// Issue 2: optional single sign-on through an OpenID Connect provider (here the lab's Google-like
// one) signs in users an admin already added, matched by verified email, and nobody else.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { findFreePort, startPortal, type Portal } from '../helpers/portal';

let browser: Browser;
let database: TestDatabase;
let portal: Portal;

describe.skipIf(!labIsAvailable)('single sign-on', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    // The identity provider must know the portal's callback before the portal starts.
    const port = await findFreePort();
    const client = await labControl.registerClient({
      persona: 'google',
      redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/sso`],
      confidential: true,
    });
    const sso = {
      MAILROOM_OIDC_ISSUER: getLab().personas.google.issuer,
      MAILROOM_OIDC_CLIENT_ID: client.clientId,
      MAILROOM_OIDC_CLIENT_SECRET: client.clientSecret!,
      MAILROOM_OIDC_NAME: 'Lab Google',
    };
    // Without a password: with single sign-on configured, the person signs in through the provider.
    const created = await runCli(['user:create', '--email', 'alice@gmail.lab.test', '--role', 'support'], { ...database.env, ...sso });
    expect(created.exitCode, created.stderr).toBe(0);
    [browser, portal] = await Promise.all([
      launchBrowser(),
      startPortal({
        database,
        port,
        env: sso,
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await database?.drop();
  });

  async function signInThroughProvider(email: string) {
    const { page } = await openPage(browser, portal);
    await page.goto('/sign-in');
    const button = page.getByRole('button', { name: 'Sign in with Lab Google' });
    await waitForHydration(button);
    await button.click();
    // The portal's own sign-in form has an Email field too: wait to be at the provider.
    await page.getByRole('heading', { name: 'Sign in to Google (lab)' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Next' }).click();
    // The provider asks for consent only the first time an account signs in to this app.
    const allow = page.getByRole('button', { name: 'Allow' });
    const back = page.waitForURL((url) => url.origin === portal.url);
    if ((await Promise.race([allow.waitFor().then(() => 'consent'), back.then(() => 'back')])) === 'consent') await allow.click();
    await back;
    return page;
  }

  it('signs in a user the admin added, by the provider’s verified email, with their role', async () => {
    const page = await signInThroughProvider('alice@gmail.lab.test');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Token status' }).waitFor();
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
  });

  it('refuses someone the provider knows but Mailroom does not, and says why', async () => {
    const page = await signInThroughProvider('bob@gmail.lab.test');
    await page.getByText('Your single sign-on account has no Mailroom user. Ask an admin to add your email address.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
