// The token status list in each time order, a page at a time: every row once, in (value, address)
// order with the rows without a value last, whatever the page size, the filters or the viewer.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, users, type Mailbox, type User } from '@/db/schema';
import { mailboxFilterConditions, mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import {
  dueCondition,
  findTokenStatuses,
  tokenStateCondition,
  type TokenStatusFilters,
  type TokenStatusRow,
} from '@/lib/tokens/find-token-statuses';
import { TOKEN_STATES, type TokenSort } from '@/lib/tokens/token-status';
import { insertProfile } from '../helpers/fixtures';

type TimeSort = Exclude<TokenSort, 'address'>;

const COLUMNS: Record<TimeSort, AnyPgColumn> = {
  expiry: oauthGrants.accessTokenExpiresAt,
  last_refresh: oauthGrants.lastRefreshAt,
  refresh_age: oauthGrants.refreshTokenObtainedAt,
  consent: oauthGrants.consentedAt,
  failing_since: mailboxes.failingSince,
};

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const support: Viewer = { id: '00000000-0000-4000-8000-000000000000', role: 'support' };
let owner: User;

/** The order the list promises, read with one plain ORDER BY over the same filters. */
async function expectedAddresses(sort: TimeSort, viewer: Viewer, filters: TokenStatusFilters): Promise<string[]> {
  const rows = await db
    .select({ address: mailboxes.address })
    .from(mailboxes)
    .innerJoin(users, eq(users.id, mailboxes.ownerId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
    .where(
      and(
        mailboxScope(viewer),
        filters.state ? tokenStateCondition(filters.state) : undefined,
        filters.due ? dueCondition(filters.due) : undefined,
        ...mailboxFilterConditions(filters),
      ),
    )
    .orderBy(sql`coalesce(${COLUMNS[sort]}, 'infinity'::timestamptz)`, mailboxes.address);
  return rows.map((row) => row.address);
}

/** Every page from the first, following nextCursor; each page but the last is full. */
async function walkRows(sort: TokenSort, viewer: Viewer, filters: TokenStatusFilters, limit: number): Promise<TokenStatusRow[]> {
  const rows: TokenStatusRow[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await findTokenStatuses({ viewer, filters, sort, limit, cursor });
    rows.push(...page.rows);
    if (!page.nextCursor) return rows;
    // A cursor that goes back shows rows again, page after page: more rows than there are mailboxes.
    expect(rows.length, 'rows shown again').toBeLessThanOrEqual(2000);
    expect(page.rows).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

async function walkPages(sort: TokenSort, viewer: Viewer, filters: TokenStatusFilters, limit: number): Promise<string[]> {
  return (await walkRows(sort, viewer, filters, limit)).map((row) => row.address);
}

/** The owner's addresses with their grant's expiry: null without a grant or without an expiry. */
async function ownerExpiries(): Promise<Map<string, Date | null>> {
  const rows = await db
    .select({ address: mailboxes.address, expiresAt: oauthGrants.accessTokenExpiresAt })
    .from(mailboxes)
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
    .where(eq(mailboxes.ownerId, owner.id));
  return new Map(rows.map((row) => [row.address, row.expiresAt]));
}

const cursorAt = (value: string | null, address: string) => Buffer.from(JSON.stringify({ value, address })).toString('base64url');

beforeAll(async () => {
  const now = Date.now();
  const at = (offset: number) => new Date(now + offset);
  const [gmail, microsoft] = [
    await insertProfile({ name: 'Gmail in Testing', publishingStatus: 'testing' }),
    await insertProfile({ name: 'Microsoft 365', serverType: 'microsoft365', clientId: 'microsoft-client' }),
  ];
  [owner] = (await db.insert(users).values({ email: 'owner@example.org', role: 'owner' }).returning()) as [User];
  const [bulkOwner] = (await db.insert(users).values({ email: 'bulk-owner@example.org', role: 'owner' }).returning()) as [User];

  // Sixty mailboxes of one owner with every case mixed: ties, no grant, a grant without the value,
  // a not-connected mailbox that kept its grant, errors, revocations, failures. Values stay minutes
  // away from the "expiring" and "due" boundaries, so that the few seconds of the test change nothing.
  const few = Array.from({ length: 60 }, (_, index) => index);
  const connectionOf = (index: number): Mailbox['connection'] =>
    index % 5 === 0 ? 'not_connected' : index % 7 === 3 ? 'needs_reconnect' : 'connected';
  const inserted = await db
    .insert(mailboxes)
    .values(
      few.map((index) => ({
        address: `box${String(index).padStart(2, '0')}@example.org`,
        ownerId: owner.id,
        profileId: index % 2 ? microsoft.id : gmail.id,
        approval: 'approved' as const,
        connection: connectionOf(index),
        status: index % 6 === 1 ? ('failing' as const) : ('active' as const),
        failingSince: index % 6 === 1 ? at(-(index % 3) * DAY - 5 * MINUTE) : null,
      })),
    )
    .returning({ id: mailboxes.id, address: mailboxes.address, profileId: mailboxes.profileId });
  await db.insert(oauthGrants).values(
    inserted
      .map((mailbox, index) => ({ mailbox, index }))
      .filter(({ index }) => connectionOf(index) !== 'not_connected' || index % 15 === 0)
      .map(({ mailbox, index }) => ({
        mailboxId: mailbox.id,
        profileId: mailbox.profileId,
        account: mailbox.address,
        accessTokenExpiresAt: index % 9 === 0 ? null : at([-30, 5, 5, 120, 120, 240][index % 6]! * MINUTE),
        lastRefreshAt: index % 4 === 0 ? null : at(-(index % 3) * 60 * MINUTE),
        refreshTokenObtainedAt: index % 8 === 0 ? null : at(-(index % 4) * 30 * DAY - 5 * MINUTE),
        consentedAt: at(-(index % 10) * DAY - 5 * MINUTE),
        lastError: index % 11 === 2 ? { code: 'invalid_grant', message: 'refused', hint: 'reconnect', at: at(0).toISOString() } : null,
        revokedAt: index % 13 === 4 ? at(-DAY) : null,
      })),
  );

  // More grants than a page reads along an index at once, in a few tied expiries, one in forty failing.
  const many = Array.from({ length: 1300 }, (_, index) => index);
  const bulk = await db
    .insert(mailboxes)
    .values(
      many.map((index) => ({
        address: `bulk${String(index).padStart(4, '0')}@example.org`,
        ownerId: bulkOwner.id,
        profileId: gmail.id,
        approval: 'approved' as const,
        connection: 'connected' as const,
        status: 'active' as const,
      })),
    )
    .returning({ id: mailboxes.id, address: mailboxes.address });
  await db.insert(oauthGrants).values(
    bulk.map((mailbox, index) => ({
      mailboxId: mailbox.id,
      profileId: gmail.id,
      account: mailbox.address,
      accessTokenExpiresAt: at((((index * 7) % 13) * 10 + 30) * MINUTE),
      lastRefreshAt: index % 3 === 0 ? null : at(-((index * 11) % 17) * MINUTE),
      refreshTokenObtainedAt: at(-((index * 5) % 9) * DAY - 5 * MINUTE),
      consentedAt: at(-DAY),
      lastError: index % 40 === 7 ? { code: 'invalid_grant', message: 'refused', hint: 'reconnect', at: at(0).toISOString() } : null,
    })),
  );
}, 60_000);

describe('the token status list in time order', () => {
  const sorts: TimeSort[] = ['expiry', 'last_refresh', 'refresh_age', 'consent', 'failing_since'];
  const filterSets: TokenStatusFilters[] = [
    {},
    { state: 'expiring' },
    { state: 'none' },
    { state: 'refresh_failing' },
    { state: 'revoked' },
    { connection: 'needs_reconnect' },
    { due: 'token' },
    { due: 'failing_day' },
    { due: 'microsoft_stale' },
  ];

  it.each(sorts)('pages an owner’s mailboxes by %s, alone and filtered, each row once in order', async (sort) => {
    for (const filters of filterSets) {
      const expected = await expectedAddresses(sort, owner, filters);
      expect(await walkPages(sort, owner, filters, 7), JSON.stringify(filters)).toEqual(expected);
    }
  });

  it('puts grants without an expiry and mailboxes without a grant after every expiry, ties by address', async () => {
    const expiries = await ownerExpiries();
    const addresses = await walkPages('expiry', owner, {}, 7);
    const key = (address: string) => expiries.get(address)?.getTime() ?? Infinity;
    const ordered = [...expiries.keys()].sort((a, b) => key(a) - key(b) || (a < b ? -1 : 1));
    expect(addresses).toEqual(ordered);
    const without = [...expiries.keys()].filter((address) => !expiries.get(address));
    expect(addresses.slice(-without.length)).toEqual(without.sort());
    expect(new Set(addresses.map(key)).size).toBeLessThan(addresses.length - without.length);
  });

  it('continues a cursor past the last expiry among the rows without one, by address', async () => {
    const expiries = await ownerExpiries();
    const { rows } = await findTokenStatuses({ viewer: owner, sort: 'expiry', limit: 3, cursor: cursorAt(null, 'box30@example.org') });
    const expected = [...expiries.keys()].filter((address) => !expiries.get(address) && address > 'box30@example.org').sort();
    expect(rows.map((row) => row.address)).toEqual(expected.slice(0, 3));
  });

  it('pages past more grants than one read along the index, with sparse and dense filters', async () => {
    const cases: [TimeSort, TokenStatusFilters, number][] = [
      ['expiry', {}, 150],
      ['expiry', { state: 'refresh_failing' }, 10],
      ['expiry', { state: 'valid', q: 'bulk01' }, 30],
      ['last_refresh', { state: 'valid' }, 250],
      ['refresh_age', { due: 'microsoft_stale' }, 5],
      ['failing_since', { due: 'failing_day' }, 4],
    ];
    for (const [sort, filters, limit] of cases) {
      const expected = await expectedAddresses(sort, support, filters);
      expect(expected.length, `${sort} ${JSON.stringify(filters)}`).toBeGreaterThan(limit);
      expect(await walkPages(sort, support, filters, limit), `${sort} ${JSON.stringify(filters)}`).toEqual(expected);
    }
  });
});

describe('the token status list by state', () => {
  it('lists under each state exactly the rows that show it, in each order', async () => {
    for (const sort of ['address', 'expiry', 'last_refresh', 'consent'] as const) {
      const everyRow = await walkRows(sort, owner, {}, 50);
      for (const state of TOKEN_STATES) {
        const shown = everyRow.filter((row) => row.state === state).map((row) => row.address);
        expect(await walkPages(sort, owner, { state }, 4), `${sort} ${state}`).toEqual(shown);
      }
    }
  });
});

describe('the token status list as grants and mailboxes change', () => {
  it('pages the times PostgreSQL writes itself, microseconds apart within one millisecond, each row once', async () => {
    const [microOwner] = (await db.insert(users).values({ email: 'micro-owner@example.org', role: 'owner' }).returning()) as [User];
    const [profile] = await db.select().from(serverProfiles).limit(1);
    const boxes = await db
      .insert(mailboxes)
      .values(
        Array.from({ length: 9 }, (_, index) => ({
          address: `micro${index}@example.org`,
          ownerId: microOwner.id,
          profileId: profile!.id,
          approval: 'approved' as const,
          connection: 'connected' as const,
          status: 'active' as const,
        })),
      )
      .returning({ id: mailboxes.id, address: mailboxes.address });
    await db.insert(oauthGrants).values(boxes.map((box) => ({ mailboxId: box.id, profileId: profile!.id, account: box.address, consentedAt: new Date() })));
    // The later the address, the earlier the time: a cursor rounded to the millisecond would go back
    // to the start of the millisecond and show the early addresses again.
    await db.execute(sql`
      update oauth_grants set last_refresh_at = date_trunc('milliseconds', now()) + (9 - substring(account from 6 for 1)::int) * interval '1 microsecond'
      where account like 'micro%'`);
    const expected = [...boxes.map((box) => box.address)].sort().reverse();
    for (const limit of [1, 2, 4]) expect(await walkPages('last_refresh', microOwner, {}, limit)).toEqual(expected);
  });

  it('follows refreshes, errors, revocations, new and deleted grants, and reconnections', async () => {
    const mailboxOf = async (address: string) => (await db.select().from(mailboxes).where(eq(mailboxes.address, address)))[0]!;
    const grantOf = async (address: string) => (await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, (await mailboxOf(address)).id)))[0];
    // Connected and healthy before: box01, box06, box07, box08, box09 and box11; box10 not connected, without a grant.
    const [refreshed, failing, revoked, deleted, replaced] = await Promise.all(
      ['box01@example.org', 'box06@example.org', 'box09@example.org', 'box07@example.org', 'box11@example.org'].map(grantOf),
    );
    const now = Date.now();
    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(now + 50 * MINUTE), lastRefreshAt: new Date(now) }).where(eq(oauthGrants.id, refreshed!.id));
    await db.update(oauthGrants).set({ lastError: { code: 'invalid_grant', message: 'refused', hint: '', at: new Date(now).toISOString() } }).where(eq(oauthGrants.id, failing!.id));
    await db.update(oauthGrants).set({ revokedAt: new Date(now) }).where(eq(oauthGrants.id, revoked!.id));
    await db.delete(oauthGrants).where(eq(oauthGrants.id, deleted!.id));
    const newcomer = await mailboxOf('box10@example.org');
    expect(await grantOf(newcomer.address)).toBeUndefined();
    await db.insert(oauthGrants).values({
      mailboxId: newcomer.id,
      profileId: newcomer.profileId,
      account: newcomer.address,
      accessTokenExpiresAt: new Date(now + 3 * MINUTE),
      consentedAt: new Date(now - 3 * DAY),
    });
    await db.update(mailboxes).set({ connection: 'connected' }).where(eq(mailboxes.id, newcomer.id));
    await db.update(mailboxes).set({ connection: 'needs_reconnect' }).where(eq(mailboxes.address, 'box08@example.org'));
    const renewed = { consentedAt: new Date(now), accessTokenExpiresAt: new Date(now + 7 * MINUTE), lastRefreshAt: null };
    await db
      .insert(oauthGrants)
      .values({ mailboxId: replaced!.mailboxId, profileId: replaced!.profileId, account: replaced!.account, ...renewed })
      .onConflictDoUpdate({ target: oauthGrants.mailboxId, set: renewed });

    for (const sort of ['expiry', 'last_refresh', 'refresh_age', 'consent'] as const) {
      expect(await walkPages(sort, owner, {}, 6), sort).toEqual(await expectedAddresses(sort, owner, {}));
      const everyRow = await walkRows(sort, owner, {}, 50);
      for (const state of TOKEN_STATES) {
        expect(await walkPages(sort, owner, { state }, 5), `${sort} ${state}`).toEqual(everyRow.filter((row) => row.state === state).map((row) => row.address));
      }
    }
    const states = Object.fromEntries(
      (await walkRows('address', owner, {}, 100))
        .filter((row) => /^box(01|06|07|08|09|10|11)@/.test(row.address))
        .map((row) => [row.address.slice(0, 5), row.state]),
    );
    expect(states).toEqual({ box01: 'valid', box06: 'refresh_failing', box07: 'none', box08: 'revoked', box09: 'revoked', box10: 'expiring', box11: 'valid' });
    // The mailboxes' copies agree with their grants.
    const copies = await db
      .select({ copy: mailboxes.grantExpiresAt, grant: oauthGrants.accessTokenExpiresAt })
      .from(mailboxes)
      .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
      .where(inArray(mailboxes.ownerId, [owner.id]));
    for (const { copy, grant } of copies) expect(copy?.getTime() ?? null).toBe(grant?.getTime() ?? null);
  });
});
