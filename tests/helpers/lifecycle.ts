// The whole lifecycle in the browser, in one language: /setup creates the first admin, who creates a
// Gmail profile for the lab in the form, adds a mailbox and approves it, connects it through the
// lab's consent, tests and activates it, finds it valid on Token status, and sends a reconnect link
// that explains itself when opened signed out. Every word the test looks for comes from the
// language's catalog. In French, each page is searched for English; in both languages, axe-core
// looks at the main pages.
import { randomBytes } from 'node:crypto';
import { createTranslator } from 'next-intl';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LOCALE_NAMES, type Locale } from '@/lib/i18n/locales';
import { seriousViolations } from './accessibility';
import { connectThroughLab, launchBrowser, openPage, signIn, waitForHydration } from './browser';
import { createTestDatabase, type TestDatabase } from './database';
import { englishRuns, readableText } from './english-text';
import { getLab, labControl, labIsAvailable } from './lab';
import { CATALOGS } from './messages';
import { startPortal, type Portal } from './portal';

/** The browser's locale for each language the portal speaks. */
const BROWSER_LOCALES: Record<Locale, string> = { fr: 'fr-FR', en: 'en-US' };

/** The pages axe-core must find clean, in both languages. */
const AXE_PAGES = ['sign-in', 'mailboxes', 'mailbox', 'profiles', 'profile form', 'token status'] as const;

/** A page's path with its ids and tokens replaced, so that findings read the same on every run. */
function pageName(url: string): string {
  return new URL(url).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/reconnect\/[\w-]+/, '/reconnect/:token');
}

export function describeLifecycle(language: Locale): void {
  const t = createTranslator({ locale: language, messages: CATALOGS[language] });
  const run = randomBytes(3).toString('hex');
  const admin = { email: `admin-${run}@example.org`, name: 'Camille Martin', password: `admin password ${run} 9f3k` };
  const address = `lifecycle-${language}-${run}@gmail.lab.test`;
  const profileName = language === 'fr' ? 'Gmail du labo' : 'Lab Gmail';

  let browser: Browser;
  let database: TestDatabase;
  let portal: Portal;
  let context: BrowserContext;
  let page: Page;
  let mailboxId = '';
  /** English found on the French pages, by page. */
  const english = new Map<string, Set<string>>();
  const violations: Partial<Record<(typeof AXE_PAGES)[number], string[]>> = {};

  /** In French, notes the English the page shows now; called after each visit and each action. */
  async function readPage(on: Page = page): Promise<void> {
    if (language !== 'fr') return;
    const found = englishRuns(await readableText(on));
    if (found.length === 0) return;
    const name = pageName(on.url());
    english.set(name, new Set([...(english.get(name) ?? []), ...found]));
  }

  /** Runs axe-core on the page as it is; a page seen twice (empty, then with a row) adds up. */
  async function checkAccessibility(name: (typeof AXE_PAGES)[number], on: Page = page): Promise<void> {
    violations[name] = [...(violations[name] ?? []), ...(await seriousViolations(on))];
  }

  async function visit(pathname: string): Promise<void> {
    await page.goto(pathname);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await readPage();
  }

  const fill = (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);
  const nextStep = () => page.getByTestId('next-step');

  describe.skipIf(!labIsAvailable)(`the whole lifecycle in ${LOCALE_NAMES[language]}`, () => {
    beforeAll(async () => {
      database = await createTestDatabase();
      [browser, portal] = await Promise.all([
        launchBrowser(),
        startPortal({ database, trustLabCa: true }),
        labControl.createAccount({ email: address, provider: 'google' }),
      ]);
      ({ context, page } = await openPage(browser, portal, { locale: BROWSER_LOCALES[language] }));
    });

    afterAll(async () => {
      await context?.close();
      await Promise.all([browser?.close(), portal?.stop()]);
      await database?.drop();
    });

    test('setup creates the first admin and signs them in', async () => {
      await visit('/setup');
      const create = page.getByRole('button', { name: t('setup.submit') });
      await waitForHydration(create);
      await fill(t('setup.email'), admin.email);
      await fill(t('setup.name'), admin.name);
      await fill(t('setup.password'), admin.password);
      await fill(t('setup.confirmPassword'), admin.password);
      await create.click();
      await page.getByRole('heading', { name: t('overview.title'), level: 1 }).waitFor();
      await readPage();
    });

    test('the admin creates a Gmail profile for the lab in the form', async () => {
      const lab = getLab();
      const google = lab.personas.google;
      const client = await labControl.registerClient({ persona: 'google', redirectUris: [`${portal.url}/api/oauth/callback`], confidential: true });

      await visit('/profiles');
      await checkAccessibility('profiles');
      await page.getByRole('link', { name: t('profiles.newProfile') }).first().click();
      await page.getByRole('heading', { name: t('profiles.new.title'), level: 1 }).waitFor();
      const create = page.getByRole('button', { name: t('profileForm.create') });
      await waitForHydration(create);
      await readPage();
      await checkAccessibility('profile form');

      await fill(t('profileForm.name'), profileName);
      await fill(t('profileForm.clientId'), client.clientId);
      await fill(t('profileForm.clientSecret'), client.clientSecret!);
      await page.getByLabel(t('profileForm.internalServer'), { exact: true }).check();
      await page.getByText(t('profileForm.advanced'), { exact: true }).click();
      await fill(t('profileForm.incoming.host'), lab.mail.gmail.imap.tls.host);
      await fill(t('profileForm.incoming.port'), String(lab.mail.gmail.imap.tls.port));
      await fill(t('profileForm.outgoing.host'), lab.mail.gmail.smtp.tls.host);
      await fill(t('profileForm.outgoing.port'), String(lab.mail.gmail.smtp.tls.port));
      await page.getByLabel(t('profileForm.outgoing.security'), { exact: true }).selectOption('tls');
      await fill(t('profileForm.authorizationEndpoint'), google.endpoints.authorization);
      await fill(t('profileForm.tokenEndpoint'), google.endpoints.token);
      await fill(t('profileForm.revocationEndpoint'), google.endpoints.revocation ?? '');
      await fill(t('profileForm.userinfoEndpoint'), google.endpoints.userinfo ?? '');
      await fill(t('profileForm.issuer'), google.issuer);
      await fill(t('profileForm.jwksEndpoint'), google.endpoints.jwks ?? '');
      await readPage();
      await create.click();

      await page.waitForURL(/\/profiles\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: profileName, level: 1 }).waitFor();
      await readPage();
    });

    test('the admin adds a mailbox for themselves and approves its address', async () => {
      await visit('/mailboxes');
      await checkAccessibility('mailboxes');
      await page.getByRole('link', { name: t('mailboxes.add') }).first().click();
      await page.getByRole('heading', { name: t('mailboxes.new.title'), level: 1 }).waitFor();
      const add = page.getByRole('button', { name: t('mailboxes.form.add') });
      await waitForHydration(add);
      await readPage();
      await fill(t('mailboxes.form.address'), address);
      await fill(t('mailboxes.form.ownerEmail'), admin.email);
      await add.click();
      await page.waitForURL(/\/mailboxes\/[0-9a-f-]{36}$/);
      mailboxId = new URL(page.url()).pathname.split('/').at(-1)!;
      await nextStep().getByText(t('status.nextStep.pending')).waitFor();
      await readPage();

      const approve = page.getByRole('button', { name: t('mailbox.admin.approve') });
      await waitForHydration(approve);
      await approve.click();
      await nextStep().getByText(t('status.connect.gmail')).waitFor();
      await readPage();
    });

    test('the owner connects the mailbox through the lab’s consent', async () => {
      await connectThroughLab(page, { mailboxId, account: address, button: t('status.connect.gmail') });
      await nextStep().getByText(t('status.nextStep.untested')).waitFor();
      await readPage();
    });

    test('Test and activate turns every step green and the mailbox Active', async () => {
      const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: t('mailbox.test.title') }) });
      const start = panel.getByRole('button', { name: t('mailbox.test.start') });
      await waitForHydration(start);
      await start.click();
      await panel.getByTestId('test-verdict').getByText(t('mailbox.test.verdict.active'), { exact: true }).waitFor();
      for (const direction of ['incoming', 'outgoing']) {
        const steps = await panel.getByTestId(`test-${direction}`).locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-ok')));
        expect(steps.length, direction).toBeGreaterThanOrEqual(5);
        expect(steps.filter((ok) => ok !== 'true'), direction).toEqual([]);
      }
      await nextStep().getByText(t('status.nextStep.active'), { exact: true }).waitFor();
      await readPage();
      await checkAccessibility('mailbox');
    });

    test('Token status shows the mailbox with a valid token, the lists show it and its profile, and the timeline', async () => {
      await visit('/token-status');
      const row = page.locator(`tr[data-mailbox="${address}"]`);
      expect((await row.getByTestId('token-state').textContent())?.trim()).toBe(t('tokenStatus.states.valid'));
      await checkAccessibility('token status');

      // The lists again, now with a row each.
      for (const [pathname, name] of [['/mailboxes', 'mailboxes'], ['/profiles', 'profiles']] as const) {
        await visit(pathname);
        await page.getByText(name === 'mailboxes' ? address : profileName, { exact: true }).first().waitFor();
        await checkAccessibility(name);
      }

      await visit(`/mailboxes/${mailboxId}/timeline`);
      await page.getByTestId('token-state').getByText(t('tokenStatus.states.valid')).waitFor();
    });

    test('a reconnect link, opened signed out, says which mailbox and what to click, then leads to it', async () => {
      const send = page.getByRole('button', { name: t('tokenStatus.supportActions.sendLink') });
      await waitForHydration(send);
      await send.click();
      // No notification sender is set: the link is shown once, for support to pass on.
      const link = await page.getByTestId('reconnect-link').inputValue();
      expect(link).toMatch(new RegExp(`^${portal.url}/reconnect/[\\w-]{40,}$`));
      await readPage();

      const owner = await openPage(browser, portal, { locale: BROWSER_LOCALES[language] });
      try {
        await owner.page.goto(link);
        await owner.page.getByRole('heading', { name: t('reconnect.title'), level: 1 }).waitFor();
        const main = owner.page.locator('main');
        const strong = (chunks: string) => chunks;
        expect(await main.locator('p').first().innerText()).toBe(t.markup('reconnect.asked', { address, strong }));
        await main.getByText(t('reconnect.whatToDo'), { exact: true }).waitFor();
        expect(await main.locator('li').allInnerTexts()).toEqual([
          t('reconnect.stepSignIn'),
          t.markup('reconnect.stepClickAndSignIn', { action: t('reconnect.reconnectButton'), address, strong }),
        ]);
        await readPage(owner.page);

        await main.getByRole('link', { name: t('reconnect.signIn') }).click();
        await owner.page.waitForURL(/\/sign-in/);
        await owner.page.getByRole('button', { name: t('signIn.submit'), exact: true }).waitFor();
        await readPage(owner.page);
        await checkAccessibility('sign-in', owner.page);
        await signIn(owner.page, { ...admin, language });
        await owner.page.waitForURL(new RegExp(`/mailboxes/${mailboxId}$`));
        await owner.page.getByRole('button', { name: t('mailbox.connect.reconnect'), exact: true }).waitFor();
        await readPage(owner.page);
      } finally {
        await owner.context.close();
      }
    });

    if (language === 'fr') {
      test('no page of the French run showed English, outside proper nouns and addresses', () => {
        const found = [...english].flatMap(([name, texts]) => [...texts].map((text) => `${name}: ${text}`));
        expect(found).toEqual([]);
      });
    }

    test('axe-core finds no serious or critical violation on the main pages', () => {
      expect(violations).toEqual(Object.fromEntries(AXE_PAGES.map((name) => [name, []])));
    });
  });
}
