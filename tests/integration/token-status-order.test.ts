// The token status list in each time order, a page at a time: every row once, in (value, address)
// order with the rows without a value last, whatever the page size, the filters or the viewer.
import { and, eq, sql } from 'drizzle-orm';
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
} from '@/lib/tokens/find-token-statuses';
import type { TokenSort } from '@/lib/tokens/token-status';
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
async function walkPages(sort: TimeSort, viewer: Viewer, filters: TokenStatusFilters, limit: number): Promise<string[]> {
  const addresses: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await findTokenStatuses({ viewer, filters, sort, limit, cursor });
    addresses.push(...page.rows.map((row) => row.address));
    if (!page.nextCursor) return addresses;
    expect(page.rows).toHaveLength(limit);
    cursor = page.nextCursor;
  }
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
