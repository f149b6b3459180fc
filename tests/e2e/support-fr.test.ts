// Issue 16, item 1: setup, the overview, token status, users, settings and the audit log read in
// French for a browser that asks for French, with none of their English words left.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchBrowser, openPage, waitForHydration } from '../helpers/browser';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'premier.admin@example.org', name: 'Camille Martin', password: 'mot de passe 4f2a9c1e' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let context: BrowserContext;
let page: Page;

/** Opens a page of the portal and waits for its heading. */
async function visit(path: string, heading: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
}

/** The English words of a page that must not show in French. */
async function englishLeft(words: string[]): Promise<string[]> {
  const text = await page.locator('main').innerText();
  return words.filter((word) => text.includes(word));
}

beforeAll(async () => {
  database = await createTestDatabase();
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  ({ context, page } = await openPage(browser, portal, { locale: 'fr-FR' }));
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

describe('support pages in French', () => {
  test('the first admin is created from a French setup page and lands on the overview', async () => {
    await visit('/setup', 'Bienvenue dans Mailroom');
    const button = page.getByRole('button', { name: 'Créer le compte administrateur' });
    await waitForHydration(button);
    await page.getByLabel('Votre adresse e-mail').fill(ADMIN.email);
    await page.getByLabel('Votre nom (facultatif)').fill(ADMIN.name);
    await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirmez le mot de passe').fill(ADMIN.password);
    await button.click();

    await page.getByRole('heading', { name: 'Vue d’ensemble', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Commencez par un profil de serveur' }).waitFor();
    expect(await page.getByRole('button', { name: 'Se déconnecter' }).count()).toBeGreaterThan(0);
    expect(await englishLeft(['Overview', 'Server profiles', 'Start with a server profile', 'Sign out'])).toEqual([]);
  });

  test('token status, users, settings and the audit log are in French', async () => {
    await visit('/token-status', 'État des jetons');
    await page.getByRole('link', { name: 'Exporter en CSV' }).waitFor();
    // No mailbox at all: the empty list says what comes first rather than "no match".
    await page.getByRole('heading', { name: 'Aucune boîte aux lettres pour l’instant' }).waitFor();
    await page.getByRole('link', { name: 'Ajouter une boîte aux lettres' }).waitFor();
    expect(await englishLeft(['Token status', 'Export CSV', 'No mailboxes yet', 'Add a mailbox', 'Sort by', 'Waiting for approval'])).toEqual([]);

    await visit('/users', 'Utilisateurs');
    await page.getByRole('button', { name: 'Ajouter l’utilisateur' }).waitFor();
    await page.getByRole('columnheader', { name: 'Dernière connexion' }).waitFor();
    expect(await englishLeft(['Add a user', 'Last sign-in', 'Change role', 'API keys'])).toEqual([]);

    await visit('/settings', 'Paramètres');
    await page.getByRole('button', { name: 'Enregistrer l’expéditeur' }).waitFor();
    expect(await englishLeft(['Settings', 'No sender is set', 'Save sender'])).toEqual([]);

    await visit('/audit', 'Journal d’audit');
    await page.getByRole('columnheader', { name: 'Auteur' }).waitFor();
    expect(await englishLeft(['Who changed what', 'Older events', 'Details'])).toEqual([]);
  });
});
