// Issue 8: alerts on the mailbox page itself. Support reads every alert of the mailbox in its own
// words; the owner reads what concerns their mailbox, said for them, without links they cannot open.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { repeatedSentences } from '../helpers/page-text';
import { startPortal, type Portal } from '../helpers/portal';

const SUPPORT = { email: 'support@example.org', password: 'support password 5g6h7j' };
const OWNER = { email: 'owner@example.org', password: 'owner password 8k9l0m' };
const DAY_MS = 24 * 60 * 60 * 1000;

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let mailboxId: string;
let consentEnds: string;
const pages = {} as Record<'support' | 'owner', Page>;

/**
 * A refused Google profile in Testing, and a mailbox on it failing for two days: states that take
 * days to reach, written before the portal opens the database.
 */
async function seed(): Promise<void> {
  Object.assign(process.env, database.env);
  const { migrateDatabase } = await import('@/db/migrate');
  await migrateDatabase();
  const { db, closeDatabase } = await import('@/db');
  const { mailboxes, oauthGrants } = await import('@/db/schema');
  const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
  const { createUser } = await import('@/lib/users/users');
  const { insertProfile } = await import('../helpers/fixtures');

  await createUser({ actor: COMMAND_LINE_ACTOR, input: { ...SUPPORT, role: 'support' } });
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { ...OWNER, role: 'owner' } });
  const now = Date.now();
  const refusal = {
    code: 'invalid_client',
    message: 'The provider refused the profile’s OAuth app (invalid_client).',
    hint: 'Check the client id and client secret in the server profile.',
    at: new Date(now - DAY_MS).toISOString(),
  };
  const profile = await insertProfile({ name: 'Sales Gmail', publishingStatus: 'testing', clientError: refusal, mailboxCount: 1 });
  const [mailbox] = await db
    .insert(mailboxes)
    .values({
      address: 'sales@example.org',
      ownerId: owner.id,
      profileId: profile.id,
      approval: 'approved',
      connection: 'connected',
      status: 'failing',
      statusReason: { ...refusal, code: 'client_refused' },
      failingSince: new Date(now - 2 * DAY_MS),
    })
    .returning();
  mailboxId = mailbox!.id;
  const consentedAt = new Date(now - 3 * DAY_MS);
  // As the page writes a day for an English browser in this machine's time zone (the browser's own).
  consentEnds = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(consentedAt.getTime() + 7 * DAY_MS));
  await db.insert(oauthGrants).values({ mailboxId, profileId: profile.id, account: 'sales@example.org', consentedAt, refreshTokenObtainedAt: consentedAt });
  await closeDatabase();
}

async function alertsOn(page: Page, pathname: string) {
  await page.goto(pathname);
  const alerts = page.getByRole('region', { name: 'Alerts' });
  await alerts.waitFor();
  return { alerts, titles: await alerts.locator('[data-alert]').allTextContents(), links: await alerts.getByRole('link').count() };
}

describe('alerts on the mailbox page', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    await seed();
    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database })]);
    for (const [name, person] of [['support', SUPPORT], ['owner', OWNER]] as const) {
      const { page } = await openPage(browser, portal);
      await signIn(page, person);
      pages[name] = page;
    }
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await database?.drop();
  });

  it('shows support every alert of the mailbox, each profile alert leading to the profile', async () => {
    const { alerts, titles, links } = await alertsOn(pages.support, `/mailboxes/${mailboxId}`);
    expect(titles).toEqual([
      'The provider refuses the client of Sales Gmail',
      'Sales Gmail uses a Google app in Testing',
      expect.stringMatching(/^Failing since [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M \S+, more than a day$/),
    ]);
    expect(links).toBe(2);
    // The refusal's message and hint are the mailbox's last error word for word: said once, under “Where it stands”.
    expect(await alerts.textContent()).not.toContain('Check the client id and client secret in the server profile.');
    // Staff read the last error's hint as written, and whose move it is.
    await pages.support.getByTestId('status-reason').getByText('Check the client id and client secret in the server profile.').waitFor();
    await pages.support.getByTestId('next-step').getByText('Waiting for an admin to fix the server profile').waitFor();
  });

  it('shows support the same alerts on the mailbox timeline', async () => {
    const { titles } = await alertsOn(pages.support, `/mailboxes/${mailboxId}/timeline`);
    expect(titles).toHaveLength(3);
    expect(titles[0]).toBe('The provider refuses the client of Sales Gmail');
  });

  it('tells the owner the refusal is not theirs, when Google ends their connection, and what their failing mailbox waits for', async () => {
    const { alerts, titles, links } = await alertsOn(pages.owner, `/mailboxes/${mailboxId}`);
    expect(titles).toEqual([
      'Google is refusing Mailroom’s access for every mailbox on Sales Gmail',
      `Google ends this mailbox’s connection on ${consentEnds}`,
      expect.stringMatching(/^Your mailbox has been failing for more than a day, since [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M \S+$/),
    ]);
    expect(links).toBe(0);
    await alerts.getByText('This is not caused by your mailbox, and reconnecting will not help', { exact: false }).waitFor();
    await alerts.getByText('Reconnect on or before that day with Reconnect under Connection', { exact: false }).waitFor();
    await alerts.getByText('once an admin has fixed it and that notice is gone, run Test and activate again', { exact: false }).waitFor();
    expect(await alerts.textContent()).not.toContain('client secret');
  });

  it('tells the owner under “Where it stands” and in the next step that the refusal is an admin’s to fix, as the alerts do', async () => {
    const page = pages.owner;
    await page.goto(`/mailboxes/${mailboxId}`);
    const reason = page.getByTestId('status-reason');
    await reason.getByText('This is not caused by your mailbox: the server profile it uses needs an admin’s fix', { exact: false }).waitFor();
    expect(await reason.textContent()).not.toContain('client secret');
    await page.getByTestId('next-step').getByText('Waiting for an admin to fix the server profile').waitFor();
    await page.getByText('An admin takes this step.').waitFor();
    expect(await page.getByText('This is yours to do.').count()).toBe(0);
  });

  it('says no sentence twice on the page of the failing mailbox, to support or to its owner', async () => {
    for (const page of [pages.support, pages.owner]) {
      await page.goto(`/mailboxes/${mailboxId}`);
      await page.getByTestId('status-reason').waitFor();
      expect(await repeatedSentences(page)).toEqual([]);
    }
  });
});
