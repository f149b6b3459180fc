import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import type { Locale } from '@/lib/i18n/locales';
import { CATALOGS } from './messages';
import type { Portal } from './portal';

/** Content-Security-Policy violations any page reported since the last test ended. */
const cspViolations: string[] = [];

// Every browser test runs with the policy enforced: a violation fails the test it happened in
// (or the first test of the file, when it happened while signing in beforehand).
afterEach(() => {
  expect(cspViolations.splice(0), 'Content-Security-Policy violations').toEqual([]);
});

function watchForCspViolations(context: BrowserContext): void {
  context.on('console', (message) => {
    if (/Content Security Policy|CSP violation/i.test(message.text())) cspViolations.push(message.text());
  });
  // Chromium logs most violations to the console itself; the event catches any it does not.
  void context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
}

/** How long a step may wait for a page, a selector or a URL before the test fails with a clear message. */
const STEP_TIMEOUT_MS = 15_000;

/** Debian's Chromium, headless and quiet: no update checks, no sync, nothing that reaches the internet. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A signed-out visitor of the portal: a context of its own (no cookies shared) with one page, where `page.goto('/x')` is relative to the portal.
 * The browser asks for English (Accept-Language) unless told otherwise: the portal's default language is French.
 */
export async function openPage(
  browser: Browser,
  portal: Pick<Portal, 'url'>,
  { locale = 'en-US', timezoneId }: { locale?: string; timezoneId?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: portal.url, locale, timezoneId });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  watchForCspViolations(context);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Waits until React has hydrated an element, so that a click reaches its handlers. Before that a
 * form would be submitted by the browser itself, which is not what a person using the portal gets.
 */
export async function waitForHydration(locator: Locator): Promise<void> {
  const element = await locator.elementHandle();
  await locator.page().waitForFunction((node) => Object.keys(node ?? {}).some((key) => key.startsWith('__reactProps$')), element);
}

/** The person signing in, and the language their browser reads the form in (English unless told). */
type SignInOptions = { email: string; password: string; language?: Locale };

/** Fills in and submits the sign-in form; resolves once the page has moved on from /sign-in. */
export async function signIn(page: Page, options: SignInOptions): Promise<void> {
  await submitSignIn(page, options);
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

/** Fills in and submits the sign-in form without waiting for the outcome (for tests of failed sign-ins). */
export async function submitSignIn(page: Page, { email, password, language = 'en' }: SignInOptions): Promise<void> {
  const words = CATALOGS[language].signIn;
  if (new URL(page.url(), 'http://placeholder').pathname !== '/sign-in') await page.goto('/sign-in');
  const button = page.getByRole('button', { name: words.submit, exact: true });
  await waitForHydration(button);
  await page.getByLabel(words.email, { exact: true }).fill(email);
  await page.getByLabel(words.password, { exact: true }).fill(password);
  await button.click();
}

/** The labels of the main navigation, in order. */
export async function navigationLabels(page: Page): Promise<string[]> {
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  await links.first().waitFor();
  return links.allTextContents();
}

/**
 * The owner's own consent at the lab, from their mailbox page: its connect button (`button`, the
 * page's words), the lab's sign-in as `account` and its Allow; resolves back on the mailbox page.
 */
export async function connectThroughLab(page: Page, options: { mailboxId: string; account: string; button: string }): Promise<void> {
  const connect = page.getByRole('button', { name: options.button, exact: true });
  await waitForHydration(connect);
  await connect.click();
  // The lab's own pages, in English as a provider's would be here.
  await page.getByLabel('Email').fill(options.account);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(new RegExp(`/mailboxes/${options.mailboxId}\\?connect=`));
}
