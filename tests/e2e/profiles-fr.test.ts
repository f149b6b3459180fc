// Issue 16, item 1: an admin whose browser asks for French creates a server profile and reads it in
// French, the words of the French Dynamics 365 documentation, with none of the English ones left.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAdminSession, type AdminSession } from '../helpers/admin-session';
import { waitForHydration } from '../helpers/browser';

const ADMIN = { email: 'admin@example.org', password: 'admin password 8d1e3b' };

let session: AdminSession;
let page: Page;

beforeAll(async () => {
  session = await startAdminSession({ admin: ADMIN, locale: 'fr-FR' });
  ({ page } = session);
});

afterAll(async () => {
  await session?.stop();
});

/** The English words of the page among `words`: none should be left in a French page. */
async function englishLeft(words: string[]): Promise<string[]> {
  const text = await page.locator('main').innerText();
  return words.filter((word) => text.includes(word));
}

describe('server profiles in French', () => {
  test('an admin creates a Gmail profile and reads it in French', async () => {
    await page.goto('/profiles');
    await page.getByRole('heading', { name: 'Profils de serveur', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Aucun profil de serveur pour l’instant' }).waitFor();
    expect(await englishLeft(['Server profiles', 'No server profile yet', 'New profile'])).toEqual([]);

    await page.getByRole('link', { name: 'Nouveau profil' }).click();
    await page.getByRole('heading', { name: 'Nouveau profil de serveur' }).waitFor();
    const create = page.getByRole('button', { name: 'Créer le profil' });
    await waitForHydration(create);
    expect(await page.getByLabel('Type d’identification').inputValue()).toBe('oauth2_code');
    await page.getByText('Avancé', { exact: true }).click();
    await page.getByLabel('Emplacement du serveur entrant').waitFor({ state: 'visible' });
    expect(
      await englishLeft(['Server type', 'Profile name', 'Authentication type', 'Client secret', 'Advanced', 'Incoming host', 'Email processing', 'Create profile']),
    ).toEqual([]);
    // The provider's own hints, and the errors of a form sent half empty, are French too.
    await page.getByText('Une application Google à l’état Test émet des jetons d’actualisation', { exact: false }).waitFor();
    await page.getByText('Dynamics 365 autorise 100 utilisateurs par profil Gmail OAuth', { exact: false }).waitFor();
    await create.click();
    await page.getByText('Saisissez un nom pour le profil.', { exact: true }).waitFor();
    expect(await englishLeft(['Enter a name for the profile.', 'Some fields need your attention.', 'A Google app in Testing'])).toEqual([]);

    await page.getByLabel('Nom du profil').fill('Gmail ventes');
    await page.getByLabel('ID client').fill('ventes.apps.googleusercontent.com');
    await page.getByLabel('Clé secrète client', { exact: true }).fill('GOCSPX-e2e-fr-secret-9b1c');
    await create.click();
    await page.waitForURL(/\/profiles\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Gmail ventes' }).waitFor();
    await page.getByRole('heading', { name: 'Général' }).waitFor();
    await page.getByRole('button', { name: 'Supprimer le profil' }).waitFor();
    const row = page.locator('dl > div').filter({ has: page.getByText('Clé secrète client', { exact: true }) });
    expect((await row.locator('dd').textContent())?.trim()).toBe('Définie, se termine par …9b1c');
    expect(await englishLeft(['General', 'Server type', 'Set, ends in', 'Test all mailboxes', 'Delete profile', 'Edit'])).toEqual([]);
  });
});
