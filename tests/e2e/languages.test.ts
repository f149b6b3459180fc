// Issue 16, items 1 and 2: a French browser gets the portal in French; the Account page switches
// the language and the time zone, and the next page reads in them.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatsFor } from '@/lib/i18n/formats';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchBrowser, navigationLabels, openPage, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 4f2a9c' };
// Three zones hours apart in November: the browser's, the portal's default, and the one the admin chooses.
const BROWSER_TIME_ZONE = 'America/Toronto';
const CHOSEN_TIME_ZONE = 'Asia/Tokyo';

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let context: BrowserContext;
let page: Page;

/** How a moment reads in a language and a time zone, by the portal's own format. */
function expected(iso: string, locale: 'fr' | 'en', timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { ...formatsFor(locale).dateTime.dateTime, timeZone }).format(new Date(iso));
}

/** The creation date of the API key on the Account page: the moment it stands for, and the text shown. */
async function keyCreated(): Promise<{ iso: string; text: string }> {
  const time = page.getByRole('row').filter({ hasText: 'deploy script' }).locator('time').first();
  return { iso: (await time.getAttribute('datetime')) ?? '', text: (await time.textContent()) ?? '' };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const created = await runCli(['user:create', '--email', ADMIN.email, '--role', 'admin', '--password', ADMIN.password], database.env);
  expect(created, created.stderr).toMatchObject({ exitCode: 0 });
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, env: { MAILROOM_DEFAULT_TIME_ZONE: 'Europe/Paris' } })]);
  ({ context, page } = await openPage(browser, portal, { locale: 'fr-FR', timezoneId: BROWSER_TIME_ZONE }));
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

describe('languages and time zones', () => {
  test('a browser that asks for French signs in and navigates in French', async () => {
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    const button = page.getByRole('button', { name: 'Se connecter', exact: true });
    await waitForHydration(button);
    await page.getByLabel('Adresse e-mail', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Mot de passe', { exact: true }).fill('not the password at all');
    await button.click();
    await page.getByText('L’adresse e-mail ou le mot de passe est incorrect, ou le compte est désactivé.').waitFor();

    await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
    await button.click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
    expect(await navigationLabels(page)).toEqual([
      'Vue d’ensemble',
      'Profils de serveur',
      'Boîtes aux lettres',
      'État des jetons',
      'Utilisateurs',
      'Journal d’audit',
      'Paramètres',
      'Compte',
    ]);
  });

  test('dates follow the browser’s time zone until the user chooses one', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compte' }).click();
    await page.getByRole('heading', { name: 'Votre compte' }).waitFor();
    const create = page.getByRole('button', { name: 'Créer une clé' });
    await waitForHydration(create);
    await page.getByLabel('Nom', { exact: true }).fill('deploy script');
    await create.click();
    await page.getByText('Copiez la clé maintenant : elle ne sera plus affichée.').waitFor();
    await page.reload();
    const { iso, text } = await keyCreated();
    expect(text).toBe(expected(iso, 'fr', BROWSER_TIME_ZONE));
    expect(text).toMatch(/^\d{1,2} [a-zéû]+\.? \d{4}, \d\d:\d\d$/);
  });

  test('the Account page switches to English and another time zone, applied at once', async () => {
    const save = page.getByRole('button', { name: 'Enregistrer' });
    await waitForHydration(save);
    await page.getByLabel('Langue', { exact: true }).selectOption('en');
    await page.getByLabel('Fuseau horaire', { exact: true }).selectOption(CHOSEN_TIME_ZONE);
    await save.click();

    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByText('Saved: the portal now shows your language and time zone.').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await navigationLabels(page)).toEqual(['Overview', 'Profiles', 'Mailboxes', 'Token status', 'Users', 'Audit', 'Settings', 'Account']);
    const { iso, text } = await keyCreated();
    expect(text).toBe(expected(iso, 'en', CHOSEN_TIME_ZONE));

    // The choice is the user's, not the browser's: a French browser signed out reads French, and English once signed in.
    const other = await openPage(browser, portal, { locale: 'fr-FR' });
    try {
      await other.page.goto('/sign-in');
      const button = other.page.getByRole('button', { name: 'Se connecter', exact: true });
      await waitForHydration(button);
      await other.page.getByLabel('Adresse e-mail', { exact: true }).fill(ADMIN.email);
      await other.page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
      await button.click();
      await other.page.waitForURL((url) => url.pathname !== '/sign-in');
      expect(await navigationLabels(other.page)).toContain('Token status');
      await other.page.goto('/account');
      expect(await other.page.getByLabel('Language', { exact: true }).inputValue()).toBe('en');
      expect(await other.page.getByLabel('Time zone', { exact: true }).inputValue()).toBe(CHOSEN_TIME_ZONE);
    } finally {
      await other.context.close();
    }
  });
});
