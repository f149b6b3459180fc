// Issue 16, item 1: the mailbox screens read in French for a browser that asks for French, with
// the glossary's words, and none of their English sentences is left behind.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 3e7b1d' };
const OWNER = { email: 'olga@example.org', password: 'owner password 9c4a2f' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let context: BrowserContext;
let page: Page;
let mailboxId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  for (const [person, role] of [[ADMIN, 'admin'], [OWNER, 'owner']] as const) {
    const created = await runCli(['user:create', '--email', person.email, '--role', role, '--password', person.password], database.env);
    expect(created.exitCode, created.stderr).toBe(0);
  }
  const keyed = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
  const adminKey = keyed.stdout.trim().split('\n').at(-1)!;
  [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
  const post = async (path: string, body: object) => {
    const response = await fetch(`${portal.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, path).toBe(201);
    return (await response.json()) as { id: string };
  };
  const profile = await post('/api/v1/profiles', {
    name: 'Staff Gmail',
    serverType: 'gmail',
    clientId: 'staff.apps.googleusercontent.com',
    clientSecret: 'GOCSPX-staff-secret-4f2a',
    isDefault: true,
  });
  ({ id: mailboxId } = await post('/api/v1/mailboxes', { address: OWNER.email, ownerEmail: OWNER.email, profileId: profile.id }));
  ({ context, page } = await openPage(browser, portal, { locale: 'fr-FR' }));
  await signIn(page, { ...ADMIN, language: 'fr' });
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), portal?.stop()]);
  await database?.drop();
});

/** The page's visible text, for asserting that an English sentence is not there. */
const visibleText = () => page.locator('main').innerText();

describe('mailboxes in French', () => {
  test('the list names its actions, filters and columns in French', async () => {
    await page.goto('/mailboxes');
    await page.getByRole('heading', { name: 'Boîtes aux lettres' }).waitFor();
    await page.getByRole('link', { name: 'Ajouter une boîte aux lettres' }).waitFor();
    await page.getByRole('button', { name: 'Tester et activer' }).waitFor();
    await page.getByLabel('Approbation', { exact: true }).getByRole('option', { name: 'en attente d’approbation' }).waitFor({ state: 'attached' });
    await page.getByRole('columnheader', { name: 'Étape suivante' }).waitFor();
    await page.getByRole('button', { name: 'Filtrer' }).waitFor();
    await page.getByLabel('L’adresse ou le propriétaire commence par').waitFor();
    const text = await visibleText();
    for (const english of ['Add mailbox', 'Import CSV', 'Test and activate', 'Next step', 'selected', 'Address or owner starts with', 'Filter']) {
      expect(text).not.toContain(english);
    }
  });

  test('a mailbox’s page shows where it stands, the next step and the admin’s actions in French', async () => {
    await page.goto(`/mailboxes/${mailboxId}`);
    await page.getByRole('heading', { name: 'Étape suivante' }).waitFor();
    await page.getByRole('button', { name: 'Approuver l’adresse' }).waitFor();
    await page.getByRole('button', { name: 'Tester et activer' }).waitFor();
    await page.getByText('Approbation de l’adresse e-mail').waitFor();
    const text = await visibleText();
    for (const english of ['Where it stands', 'Approve address', 'Delete mailbox', 'Test and activate', 'Never']) expect(text).not.toContain(english);
  });

  test('the form to add a mailbox asks in French', async () => {
    await page.goto('/mailboxes/new');
    await page.getByRole('heading', { name: 'Ajouter une boîte aux lettres' }).waitFor();
    await page.getByLabel('Adresse e-mail du propriétaire').waitFor();
    await page.getByRole('option', { name: 'Staff Gmail (par défaut)' }).first().waitFor({ state: 'attached' });
    const text = await visibleText();
    for (const english of ['Email address', 'Server profile', 'Shared mailbox', '(default)']) expect(text).not.toContain(english);
  });

  test('approving an address answers in French, and the next step follows in French', async () => {
    await page.goto(`/mailboxes/${mailboxId}`);
    const approve = page.getByRole('button', { name: 'Approuver l’adresse' });
    await waitForHydration(approve);
    await approve.click();
    await page.getByText(`L’adresse ${OWNER.email} a été approuvée.`).waitFor();
    await page.getByTestId('next-step').getByText('Se connecter à Gmail').waitFor();
  });

  test('an import preview explains each row in French', async () => {
    await page.goto('/mailboxes/import');
    const preview = page.getByRole('button', { name: 'Aperçu' });
    await page.getByLabel('Ou collez son contenu').fill(['address,owner email,profile', 'not-an-address,olga@example.org,', `${OWNER.email},olga@example.org,`, 'nina@example.org,olga@example.org,Nope'].join('\n'));
    await waitForHydration(preview);
    await preview.click();
    await page.getByText('Adresse «\u00a0not-an-address\u00a0» non valide.').waitFor();
    await page.getByText('Une boîte aux lettres avec cette adresse existe déjà.').waitFor();
    await page.getByText('Profil «\u00a0Nope\u00a0» inconnu.').waitFor();
    await page.getByText('Rien n’a encore été enregistré.', { exact: false }).waitFor();
    const text = await visibleText();
    for (const english of ['Invalid address', 'already exists', 'Unknown profile', 'Preview:']) expect(text).not.toContain(english);
  });
});
