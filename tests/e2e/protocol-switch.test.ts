// Issue 17, part 4, in the browser: the overview names a tenant's SMTP AUTH refusal once, the failing
// mailbox leads the admin to the switch, the dialog says what it means before the profile moves to
// Microsoft Graph, and the owners' reconnect links follow in one action.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 3s7w9q' };
const PROFILE = 'Contoso Microsoft 365';

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let page: Page;
let profileId: string;
let mailboxId: string;

/** A Microsoft 365 profile over IMAP and SMTP with two connected mailboxes the tenant refuses SMTP AUTH. */
async function seed(): Promise<void> {
  Object.assign(process.env, database.env);
  const { migrateDatabase } = await import('@/db/migrate');
  await migrateDatabase();
  const { db, closeDatabase } = await import('@/db');
  const { mailboxes, oauthGrants } = await import('@/db/schema');
  const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
  const { createUser } = await import('@/lib/users/users');
  const { presetFor } = await import('@/lib/profiles/presets');
  const { insertProfile } = await import('../helpers/fixtures');

  await createUser({ actor: COMMAND_LINE_ACTOR, input: { ...ADMIN, role: 'admin' } });
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
  const preset = presetFor({ serverType: 'microsoft365', authType: 'oauth2_code', tenant: 'contoso.onmicrosoft.com', incomingProtocol: 'imap', outgoingProtocol: 'smtp' });
  const profile = await insertProfile({
    name: PROFILE,
    serverType: 'microsoft365',
    tenant: 'contoso.onmicrosoft.com',
    clientId: '6f1c2d3e-0000-4000-8000-000000000001',
    publicClient: true,
    authorizationEndpoint: preset.endpoints.authorization,
    tokenEndpoint: preset.endpoints.token,
    userinfoEndpoint: preset.endpoints.userinfo,
    jwksEndpoint: preset.endpoints.jwks,
    scopes: preset.scopes,
    incomingHost: 'outlook.office365.com',
    incomingPort: 993,
    outgoingHost: 'smtp.office365.com',
    outgoingPort: 587,
    outgoingSecurity: 'starttls',
    mailboxCount: 2,
  });
  profileId = profile.id;
  const at = new Date();
  const refusal = { code: 'smtp_auth_disabled', message: 'SMTP AUTH is disabled for the tenant (535 5.7.139).', hint: '', at: at.toISOString() };
  for (const address of ['ada@contoso.example', 'bob@contoso.example']) {
    const [mailbox] = await db
      .insert(mailboxes)
      .values({ address, ownerId: owner.id, profileId, approval: 'approved', connection: 'connected', status: 'failing', outgoingStatus: 'failure', statusReason: refusal, failingSince: at })
      .returning();
    mailboxId ??= mailbox!.id;
    await db.insert(oauthGrants).values({ mailboxId: mailbox!.id, profileId, account: address, consentedAt: at });
  }
  await closeDatabase();
}

describe('the way out of 5.7.139', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    await seed();
    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
    ({ page } = await openPage(browser, portal));
    await signIn(page, ADMIN);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), portal?.stop()]);
    await database?.drop();
  });

  it('names the refusal once on the overview, and the failing mailbox leads to the switch', async () => {
    await page.goto('/');
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await alerts.waitFor();
    expect(await alerts.locator('[data-alert]').allTextContents()).toEqual([`2 mailboxes of ${PROFILE} fail because SMTP AUTH is turned off for their tenant`]);

    await page.goto(`/mailboxes/${mailboxId}`);
    await page.getByTestId('api-switch-offer').getByRole('link', { name: `Switch ${PROFILE} to Microsoft Graph` }).click();
    await page.waitForURL(`**/profiles/${profileId}#api-switch`);
    expect(await page.getByTestId('api-switch-failing').textContent()).toBe('2 mailboxes fail because SMTP AUTH is off for the tenant (or the mailbox).');
  });

  it('says what the switch means before making it, then offers the reconnect links', async () => {
    const open = page.getByRole('button', { name: 'Switch to Microsoft Graph…' });
    await waitForHydration(open);
    await open.click();
    const dialog = page.getByRole('dialog', { name: `Switch ${PROFILE} to Microsoft Graph?` });
    await dialog.waitFor();
    expect(await dialog.getByTestId('api-switch-scopes').locator('li').allTextContents()).toEqual(['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'User.Read', 'Mail.Send', 'Mail.Send.Shared', 'offline_access', 'openid', 'email', 'profile']);
    expect(await dialog.getByTestId('api-switch-reconnect').textContent()).toMatch(/^All 2 connected mailboxes must connect again: their tokens were issued for IMAP and SMTP/);
    expect(await dialog.getByLabel('API root').inputValue()).toBe('https://graph.microsoft.com/v1.0');

    await dialog.getByRole('button', { name: 'Switch to Microsoft Graph' }).click();
    await page.getByText(`${PROFILE} now reads and sends mail through Microsoft Graph.`).waitFor();
    expect(await page.getByText('Incoming (Microsoft Graph)').count()).toBe(1);

    await page.getByRole('button', { name: 'Send reconnect links to the owners of the 2 mailboxes that must connect again' }).click();
    await page.getByText('No link was mailed. 2 links could not be mailed: give each to its owner yourself.').waitFor();
    expect(await page.getByTestId('reconnect-links-not-mailed').locator('input').count()).toBe(2);
  });
});
