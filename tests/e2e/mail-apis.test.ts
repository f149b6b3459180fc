// Issue 17, acceptance 1: an admin creates a Microsoft 365 profile over Graph in the form, an owner
// connects carol through the lab's consent, and Test and activate with "send a test message" passes;
// the message is in the sink, then in carol's inbox. The same for a Gmail profile over the Gmail API.
import { randomBytes } from 'node:crypto';
import { createTranslator } from 'next-intl';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectThroughLab, launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { createUsersWithKey } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable, waitForInboxMessage, type OAuthClient } from '../helpers/lab';
import { CATALOGS } from '../helpers/messages';
import { portalApi, startPortal, type Portal } from '../helpers/portal';

const t = createTranslator({ locale: 'en', messages: CATALOGS.en });
const run = randomBytes(3).toString('hex');
const ADMIN = { email: `admin-${run}@example.org`, password: `admin password ${run} 4c1e` };
const OWNER = { email: `owner-${run}@example.org`, password: `owner password ${run} 8d2a` };

/** The two ways through a provider's web API that the issue asks for, each with its lab account. */
const CASES = [
  { serverType: 'microsoft365', persona: 'microsoft', protocol: 'graph', account: 'carol@contoso.lab.test', profileName: 'Contoso over Graph' },
  { serverType: 'gmail', persona: 'google', protocol: 'gmail_api', account: 'alice@gmail.lab.test', profileName: 'Gmail over the API' },
] as const;

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let apiKey = '';
let admin: { context: BrowserContext; page: Page };
let owner: { context: BrowserContext; page: Page };

/** The portal's HTTP API with the admin's key (both known once beforeAll has run). */
const api = (method: string, route: string, body?: unknown) => portalApi(portal, apiKey)(method, route, body);

describe.skipIf(!labIsAvailable)('Microsoft Graph and the Gmail API, from the profile form to an active mailbox', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    apiKey = await createUsersWithKey(
      [
        { ...ADMIN, role: 'admin' },
        { ...OWNER, role: 'owner' },
      ],
      database.env,
    );
    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, trustLabCa: true })]);
    admin = await openPage(browser, portal);
    owner = await openPage(browser, portal);
    await Promise.all([signIn(admin.page, ADMIN), signIn(owner.page, OWNER)]);
  });

  afterAll(async () => {
    await Promise.all([admin?.context.close(), owner?.context.close()]);
    await Promise.all([browser?.close(), portal?.stop()]);
    await database?.drop();
  });

  for (const { serverType, persona, protocol, account, profileName } of CASES) {
    test(`${t(`profiles.protocols.${protocol}`)}: the profile in the form, Connect, then Test and activate sends a message that arrives`, async () => {
      const lab = getLab();
      const { endpoints, issuer, tenant } = lab.personas[persona];
      const client: OAuthClient = await labControl.registerClient({ persona, redirectUris: [`${portal.url}/api/oauth/callback`], confidential: true });
      const { page } = admin;
      const fill = (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);

      await page.goto('/profiles/new');
      const create = page.getByRole('button', { name: t('profileForm.create') });
      await waitForHydration(create);
      await page.getByLabel(t(`providers.${serverType}.label`), { exact: true }).check();
      await fill(t('profileForm.name'), profileName);
      if (tenant) await fill(t('profileForm.tenant'), tenant);
      await page.getByLabel(t('profileForm.incomingProtocol'), { exact: true }).selectOption(protocol);
      await page.getByLabel(t('profileForm.outgoingProtocol'), { exact: true }).selectOption(protocol);
      await fill(t('profileForm.clientId'), client.clientId);
      await fill(t('profileForm.clientSecret'), client.clientSecret!);
      await page.getByLabel(t('profileForm.internalServer'), { exact: true }).check();
      await page.getByText(t('profileForm.advanced'), { exact: true }).click();
      // A web API direction has no host, port or security to fill in.
      expect(await page.getByLabel(t('profileForm.incoming.host'), { exact: true }).count()).toBe(0);
      expect(await page.getByLabel(t('profileForm.outgoing.host'), { exact: true }).count()).toBe(0);
      await fill(t('profileForm.authorizationEndpoint'), endpoints.authorization);
      await fill(t('profileForm.tokenEndpoint'), endpoints.token);
      await fill(t('profileForm.revocationEndpoint'), endpoints.revocation ?? '');
      await fill(t('profileForm.userinfoEndpoint'), endpoints.userinfo);
      await fill(t('profileForm.issuer'), issuer);
      await fill(t('profileForm.jwksEndpoint'), endpoints.jwks);
      await fill(t('profileForm.apiEndpoint'), protocol === 'graph' ? lab.api.graph.baseUrl : lab.api.gmail.baseUrl);
      await create.click();
      await page.waitForURL(/\/profiles\/[0-9a-f-]{36}$/);
      const profileId = new URL(page.url()).pathname.split('/').at(-1)!;

      const { json: profile } = await api('GET', `/api/v1/profiles/${profileId}`);
      expect(profile).toMatchObject({
        incoming: { protocol, host: null, port: null, security: null },
        outgoing: { protocol, host: null, port: null, security: null },
      });

      const mailbox = await api('POST', '/api/v1/mailboxes', { address: account, ownerEmail: OWNER.email, profileId });
      const mailboxId = String(mailbox.json.id);
      await api('POST', `/api/v1/mailboxes/${mailboxId}/approve`);

      // The owner connects through the lab's own sign-in and consent pages.
      const ownerPage = owner.page;
      await ownerPage.goto(`/mailboxes/${mailboxId}`);
      await connectThroughLab(ownerPage, { mailboxId, account, button: t(`status.connect.${serverType}`) });

      const startedAt = Date.now();
      const panel = ownerPage.locator('section').filter({ has: ownerPage.getByRole('heading', { name: t('mailbox.test.title') }) });
      const start = panel.getByRole('button', { name: t('mailbox.test.start') });
      await waitForHydration(start);
      await panel.getByLabel(t('mailbox.test.sendMessage')).check();
      await start.click();
      await panel.getByTestId('test-verdict').getByText(t('mailbox.test.verdict.active'), { exact: true }).waitFor();
      for (const direction of ['incoming', 'outgoing']) {
        const steps = await panel.getByTestId(`test-${direction}`).locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-ok')));
        expect(steps.length, direction).toBeGreaterThanOrEqual(3);
        expect(steps.filter((ok) => ok !== 'true'), direction).toEqual([]);
      }

      // In the sink, then in the mailbox's own inbox, as the provider's API serves it.
      const sent = (await labControl.receivedMessages({ to: account })).filter((message) => Date.parse(message.receivedAt) >= startedAt);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.envelopeFrom).toBe(account);
      await waitForInboxMessage({ account, subject: sent[0]!.subject! });
    });
  }
});
