// The overview's health summary: each figure counts what the list it links to shows.
import { randomUUID } from 'node:crypto';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxCounts, mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import { tokenStatusFilters } from '@/lib/api/endpoints/token-status';
import { findMailboxes } from '@/lib/mailboxes/mailboxes';
import { findProfiles } from '@/lib/profiles/profiles';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { getHealthSummary, type HealthFigure } from '@/lib/tokens/health-summary';
import { mailboxFilters } from '@/lib/validations/mailboxes';
import { profileListFilters } from '@/lib/validations/profiles';
import { seedMailboxes } from '../helpers/seed-mailboxes';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const admin = { id: randomUUID(), role: 'admin' as const };

beforeAll(async () => {
  // n = 1..40: approval and connection by n mod 4 (0: pending and not connected, 3: rejected and
  // needs reconnect), status by n mod 10 (1-7 active, 8 failing, 9 disabled); even n on the first profile.
  const { profileIds } = await seedMailboxes({ count: 40 });
  await db.update(serverProfiles).set({ mailboxCap: 20 }).where(eq(serverProfiles.id, profileIds[0]!));
  await db.update(serverProfiles).set({ mailboxCap: 100 }).where(eq(serverProfiles.id, profileIds[1]!));
  const now = Date.now();
  const refused = { code: 'invalid_grant', message: 'The provider refused the refresh token.', hint: '', at: new Date(now).toISOString() };
  const grants: Record<string, Partial<typeof oauthGrants.$inferInsert>> = {
    'user000001@example.org': { accessTokenExpiresAt: new Date(now + 2 * 60 * MINUTE), consentedAt: new Date(now - DAY) },
    'user000002@example.org': { accessTokenExpiresAt: new Date(now + MINUTE), consentedAt: new Date(now - 10 * DAY) },
    'user000005@example.org': { accessTokenExpiresAt: new Date(now + 2 * 60 * MINUTE), consentedAt: new Date(now - DAY), lastError: refused },
    'user000006@example.org': { accessTokenExpiresAt: new Date(now + 2 * 60 * MINUTE), consentedAt: new Date(now - DAY), revokedAt: new Date(now) },
    // Needs reconnect: its grant counts as revoked. Not connected: its leftover grant counts for nothing.
    'user000003@example.org': { accessTokenExpiresAt: new Date(now + 2 * 60 * MINUTE), consentedAt: new Date(now - DAY) },
    'user000004@example.org': { accessTokenExpiresAt: new Date(now + 2 * 60 * MINUTE), consentedAt: new Date(now - DAY) },
  };
  const rows = await db
    .select({ id: mailboxes.id, address: mailboxes.address, profileId: mailboxes.profileId })
    .from(mailboxes)
    .where(inArray(mailboxes.address, Object.keys(grants)));
  await db.insert(oauthGrants).values(rows.map((mailbox) => ({ mailboxId: mailbox.id, profileId: mailbox.profileId, account: mailbox.address, consentedAt: new Date(now), ...grants[mailbox.address] })));
});

/** How many rows the page the figure links to lists, read with that page's own parameters. */
async function rowsBehind(figure: HealthFigure): Promise<number> {
  const url = new URL(figure.href, 'http://portal.test');
  const params = Object.fromEntries(url.searchParams);
  switch (url.pathname) {
    case '/mailboxes':
      return (await findMailboxes({ viewer: admin, filters: mailboxFilters.parse(params), limit: 1000 })).mailboxes.length;
    case '/token-status': {
      const { sort, ...filters } = tokenStatusFilters.parse(params);
      return (await findTokenStatuses({ viewer: admin, filters, sort, limit: 1000 })).rows.length;
    }
    case '/profiles':
      return (await findProfiles({ limit: 1000, nearCap: profileListFilters.parse(params).capacity === 'near' })).profiles.length;
    default:
      throw new Error(`No list at ${url.pathname}`);
  }
}

describe('the health summary', () => {
  it('counts mailboxes by where they stand, the tokens that need someone and the profiles near their cap', async () => {
    const figures = Object.fromEntries((await getHealthSummary({ viewer: admin })).map((figure) => [figure.key, figure.value]));
    expect(figures).toEqual({
      active: 28,
      pending: 10,
      not_connected: 10,
      needs_reconnect: 10,
      failing: 4,
      disabled: 4,
      token_expiring: 1,
      token_refresh_failing: 1,
      token_revoked: 2,
      profiles_near_cap: 1,
    });
  });

  it('links each figure to a list that shows exactly that many rows', async () => {
    await expectFiguresToMatchTheirLists();
  });

  it('keeps its counts through inserts, updates, deletes, grant changes and rolled back writes', async () => {
    const [profile] = await db.select().from(serverProfiles).limit(1);
    const [anOwner] = await db.select({ id: mailboxes.ownerId }).from(mailboxes).limit(1);
    await db.insert(mailboxes).values(
      ['late-1', 'late-2', 'late-3'].map((name) => ({
        address: `${name}@example.org`,
        ownerId: anOwner!.id,
        profileId: profile!.id,
        approval: 'approved' as const,
        connection: 'connected' as const,
        status: 'failing' as const,
      })),
    );
    await db.update(mailboxes).set({ status: 'disabled' }).where(inArray(mailboxes.address, ['user000011@example.org', 'user000012@example.org', 'late-1@example.org']));
    await db.delete(mailboxes).where(eq(mailboxes.address, 'user000001@example.org'));
    const [late2] = await db.select().from(mailboxes).where(eq(mailboxes.address, 'late-2@example.org'));
    await db.insert(oauthGrants).values({ mailboxId: late2!.id, profileId: late2!.profileId, account: late2!.address, consentedAt: new Date(), revokedAt: new Date() });
    await db.update(oauthGrants).set({ lastError: null }).where(sql`${oauthGrants.lastError} is not null`);
    await db
      .transaction(async (tx) => {
        await tx.update(mailboxes).set({ status: 'active', connection: 'needs_reconnect' });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await expectFiguresToMatchTheirLists();
    expect(await figureValues()).toMatchObject({ active: 25, disabled: 7, failing: 6, token_refresh_failing: 0, token_revoked: 3 });
  });

  it('folds its rows of changes after many writes, and counts the same', async () => {
    const [box] = await db.select().from(mailboxes).where(eq(mailboxes.address, 'user000002@example.org'));
    for (let round = 0; round < 150; round += 1) {
      await db.update(mailboxes).set({ status: 'disabled' }).where(eq(mailboxes.id, box!.id));
      await db.update(mailboxes).set({ status: box!.status }).where(eq(mailboxes.id, box!.id));
    }
    const before = await figureValues();
    await getHealthSummary({ viewer: admin });
    const [{ rows } = { rows: 0 }] = await db.select({ rows: count() }).from(mailboxCounts);
    expect(rows).toBeLessThan(30);
    expect(await figureValues()).toEqual(before);
    await expectFiguresToMatchTheirLists();
  });
});

async function figureValues(viewer = admin): Promise<Record<string, number>> {
  return Object.fromEntries((await getHealthSummary({ viewer })).map((figure) => [figure.key, figure.value]));
}

async function expectFiguresToMatchTheirLists(): Promise<void> {
  const figures = await getHealthSummary({ viewer: admin });
  const shown = await Promise.all(figures.map(async (figure) => [figure.key, await rowsBehind(figure)] as const));
  expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(figures.map((figure) => [figure.key, figure.value])));
}
