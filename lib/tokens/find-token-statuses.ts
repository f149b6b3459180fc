import 'server-only';
import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { db } from '@/db';
import {
  connectionTests,
  mailboxes,
  oauthGrants,
  serverProfiles,
  tokenStanding,
  users,
  type Mailbox,
  type ServerProfile,
  type TokenStanding,
} from '@/db/schema';
import { startsWith } from '@/db/sql';
import { notFound } from '@/lib/errors';
import { PRINTABLE } from '@/lib/validations/common';
import { mailboxFilterConditions, mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { PROVIDER_IDS, PROVIDERS } from '@/lib/providers';
import type { Provider } from '@/lib/providers/provider';
import {
  CONSENT_ENDING_MS,
  tokenPurposeOf,
  toTokenStatus,
  type MailboxTokenStatus,
  type TokenDue,
  type TokenSort,
  type TokenState,
} from './token-status';

const DAY_MS = 24 * 60 * 60 * 1000;

const STANDINGS = tokenStanding.enumValues;

/** The mailboxes on the profiles of a server type: those in Testing, or all of them. */
type OnProfiles = (serverType: ServerProfile['serverType'], only?: { testing: true }) => SQL;

/**
 * The profiles as an array PostgreSQL computes once per query, for conditions built without reading
 * first: `profile_id = any(…)` still reads the mailboxes_profile_* indexes, where a join would test
 * every row.
 */
const onProfilesInQuery: OnProfiles = (serverType, only) => {
  const ids = db
    .select({ id: serverProfiles.id })
    .from(serverProfiles)
    .where(and(eq(serverProfiles.serverType, serverType), only?.testing ? eq(serverProfiles.publishingStatus, 'testing') : undefined));
  return sql`${mailboxes.profileId} = any(array(${ids}))`;
};

/**
 * The profiles read first (they are few) and named one by one: the planner then knows from the
 * statistics how many mailboxes of each standing they hold, and does not walk a whole index for a
 * profile with none.
 */
async function readProfiles(): Promise<OnProfiles> {
  const profiles = await db
    .select({ id: serverProfiles.id, serverType: serverProfiles.serverType, publishingStatus: serverProfiles.publishingStatus })
    .from(serverProfiles);
  return (serverType, only) => {
    const ids = profiles
      .filter((profile) => profile.serverType === serverType && (!only?.testing || profile.publishingStatus === 'testing'))
      .map((profile) => profile.id);
    return ids.length === 0 ? sql`false` : sql`${mailboxes.profileId} = any(${`{${ids.join(',')}}`}::uuid[])`;
  };
}

/** `condition` for each server type whose descriptor has `pick`, each with its own value; false when none has. */
function perProvider<T>(pick: (provider: Provider) => T | null, condition: (value: T, serverType: ServerProfile['serverType']) => SQL): SQL {
  const parts = PROVIDER_IDS.flatMap((id) => {
    const value = pick(PROVIDERS[id]);
    return value === null ? [] : [condition(value, id)];
  });
  return or(...parts) ?? sql`false`;
}

export type TokenStatusFilters = {
  state?: TokenState;
  profileId?: string;
  status?: Mailbox['status'];
  approval?: Mailbox['approval'];
  connection?: Mailbox['connection'];
  due?: TokenDue;
  /** "Starts with" on the address or the owner's email. */
  q?: string;
};

export type TokenStatusRow = MailboxTokenStatus & {
  mailboxId: string;
  address: string;
  ownerId: string;
  ownerEmail: string;
  profileId: string;
  profileName: string;
  serverType: ServerProfile['serverType'];
  approval: Mailbox['approval'];
  connection: Mailbox['connection'];
  status: Mailbox['status'];
  failingSince: string | null;
  consentedAt: string | null;
  lastCheckedAt: string | null;
  lastTest: { ok: boolean | null; at: string } | null;
};

/**
 * Which token standings a filter leaves, and what it asks of the clock among them. Conditions read the
 * mailbox's copy of its grant (db/schema.ts), so that each is a range of one of the mailboxes' indexes.
 */
type Narrowing = { standings: readonly TokenStanding[]; clock?: SQL };

const refreshDueBy = (moment: Date) => lte(mailboxes.grantRefreshDueAt, moment);
const WITH_GRANT: readonly TokenStanding[] = ['healthy', 'refresh_failing', 'revoked'];

function consentEndingBy(moment: Date, onProfiles: OnProfiles): SQL {
  return perProvider(
    (provider) => provider.testingApps,
    ({ consentLifetimeMs }, serverType) =>
      and(onProfiles(serverType, { testing: true }), lte(mailboxes.grantConsentedAt, new Date(moment.getTime() - consentLifetimeMs)))!,
  );
}

function expiringBy(now: Date, onProfiles: OnProfiles): SQL {
  return or(refreshDueBy(now), consentEndingBy(new Date(now.getTime() + CONSENT_ENDING_MS), onProfiles))!;
}

/** The SQL twin of deriveTokenState: its standing, and for a healthy one the clock. */
function stateNarrowing(state: TokenState, now: Date, onProfiles: OnProfiles): Narrowing {
  switch (state) {
    case 'none':
    case 'revoked':
    case 'refresh_failing':
      return { standings: [state] };
    case 'expiring':
      return { standings: ['healthy'], clock: expiringBy(now, onProfiles) };
    case 'valid':
      return { standings: ['healthy'], clock: sql`not coalesce(${expiringBy(now, onProfiles)}, false)` };
  }
}

function dueNarrowing(due: TokenDue, now: Date, onProfiles: OnProfiles): Narrowing {
  switch (due) {
    case 'token':
      return { standings: ['healthy'], clock: refreshDueBy(now) };
    case 'consent':
      return { standings: WITH_GRANT, clock: consentEndingBy(new Date(now.getTime() + CONSENT_ENDING_MS), onProfiles) };
    case 'failing_day':
      return { standings: STANDINGS, clock: lte(mailboxes.failingSince, new Date(now.getTime() - DAY_MS)) };
    case 'microsoft_stale':
      return {
        standings: WITH_GRANT,
        clock: perProvider(
          (provider) => provider.idleRefreshTokens,
          ({ staleAfterMs }, serverType) =>
            and(onProfiles(serverType), lte(mailboxes.grantRefreshTokenObtainedAt, new Date(now.getTime() - staleAfterMs)))!,
        ),
      };
  }
}

/** The standings as one condition, written as the partial indexes' own predicate where it is theirs. */
function standingCondition(standings: readonly TokenStanding[]): SQL | undefined {
  if (standings.length === STANDINGS.length) return undefined;
  const others = STANDINGS.filter((standing) => !standings.includes(standing));
  if (standings.length === 1) return eq(mailboxes.tokenStanding, standings[0]!);
  if (others.length === 1) return ne(mailboxes.tokenStanding, others[0]!);
  return inArray(mailboxes.tokenStanding, [...standings]);
}

const toCondition = ({ standings, clock }: Narrowing): SQL => and(standingCondition(standings), clock) ?? sql`true`;

/** The rows in `state` (the state each row shows), over mailboxes alone. */
export function tokenStateCondition(state: TokenState, now = new Date()): SQL {
  return toCondition(stateNarrowing(state, now, onProfilesInQuery));
}

/** The rows a shortcut of the overview or the alerts lists, over mailboxes alone. */
export function dueCondition(due: TokenDue, now = new Date()): SQL {
  return toCondition(dueNarrowing(due, now, onProfilesInQuery));
}

async function countMailboxesWhere(condition: SQL | undefined): Promise<number> {
  const [row] = await db.select({ value: count() }).from(mailboxes).where(condition);
  return row?.value ?? 0;
}

/** How many mailboxes a shortcut of the overview or the alerts lists, counted along the index its condition ranges over. */
export function countDueMailboxes({ due, now = new Date() }: { due: TokenDue; now?: Date }): Promise<number> {
  return countMailboxesWhere(dueCondition(due, now));
}

/**
 * How many of the viewer's tokens are expiring, as the list filtered on that state shows them: those
 * due, and those whose consent ends that are not due, two counts each read from one index alone.
 */
export async function countExpiringTokens({ viewer, now = new Date() }: { viewer: Viewer; now?: Date }): Promise<number> {
  const healthy = and(eq(mailboxes.tokenStanding, 'healthy'), mailboxScope(viewer));
  const [due, consentEndingOnly] = await Promise.all([
    countMailboxesWhere(and(healthy, refreshDueBy(now))),
    countMailboxesWhere(
      and(healthy, consentEndingBy(new Date(now.getTime() + CONSENT_ENDING_MS), onProfilesInQuery), sql`not coalesce(${refreshDueBy(now)}, false)`),
    ),
  ]);
  return due + consentEndingOnly;
}

/** Past this many owners a search names, their mailboxes are too many to read before sorting: the subquery stays. */
const OWNERS_NAMED = 1000;

/**
 * "Starts with" on the address or the owner's email, the owners named one by one when they are few:
 * the planner then counts their mailboxes from the statistics and reads them along
 * mailboxes_owner_idx before sorting, instead of walking a time index in the hope of meeting them.
 */
async function searchCondition(prefix: string): Promise<SQL> {
  const owners = db.select({ id: users.id }).from(users).where(startsWith(users.email, prefix));
  const named = await owners.limit(OWNERS_NAMED + 1);
  const ofOwners =
    named.length > OWNERS_NAMED
      ? inArray(mailboxes.ownerId, owners)
      : named.length > 0
        ? sql`${mailboxes.ownerId} = any(${`{${named.map((owner) => owner.id).join(',')}}`}::uuid[])`
        : undefined;
  return or(startsWith(mailboxes.address, prefix), ofOwners)!;
}

/** The standings the filters leave, and the conditions on the rest of the row. */
async function narrowFilters(viewer: Viewer, { state, due, q, ...filters }: TokenStatusFilters, now = new Date()) {
  const onProfiles = state || due ? await readProfiles() : onProfilesInQuery;
  const narrowings = [state ? stateNarrowing(state, now, onProfiles) : undefined, due ? dueNarrowing(due, now, onProfiles) : undefined].filter(
    (narrowing) => narrowing !== undefined,
  );
  return {
    standings: STANDINGS.filter((standing) => narrowings.every((narrowing) => narrowing.standings.includes(standing))),
    where: [
      mailboxScope(viewer),
      ...narrowings.map((narrowing) => narrowing.clock),
      ...mailboxFilterConditions(filters),
      q ? await searchCondition(q) : undefined,
    ],
  };
}

/** Soonest or oldest first, the rows without a value last, then by address; the grant's times are the mailbox's copies. */
const SORT_COLUMNS: Record<Exclude<TokenSort, 'address'>, AnyPgColumn> = {
  expiry: mailboxes.grantExpiresAt,
  last_refresh: mailboxes.grantRefreshedAt,
  refresh_age: mailboxes.grantRefreshTokenObtainedAt,
  consent: mailboxes.grantConsentedAt,
  failing_since: mailboxes.failingSince,
};

type Cursor = { value: string | null; address: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** What a cursor may carry back: a timestamp the database can read (or none) and an address. */
const cursorContent = z.object({
  value: z
    .string()
    .regex(ISO_TIMESTAMP)
    .refine((value) => !Number.isNaN(Date.parse(value)))
    .nullable()
    .catch(null),
  address: z.string().max(254).regex(PRINTABLE),
});

function decodeCursor(cursor: string): Cursor | null {
  try {
    const parsed = cursorContent.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Status columns only: the token columns of oauth_grants and the secrets of profiles are never selected. */
function selectStatusRows() {
  return db
    .select({
      mailboxId: mailboxes.id,
      address: mailboxes.address,
      ownerId: mailboxes.ownerId,
      ownerEmail: users.email,
      profileId: mailboxes.profileId,
      profileName: serverProfiles.name,
      serverType: serverProfiles.serverType,
      authType: serverProfiles.authType,
      incomingProtocol: serverProfiles.incomingProtocol,
      outgoingProtocol: serverProfiles.outgoingProtocol,
      publishingStatus: serverProfiles.publishingStatus,
      profileScopes: serverProfiles.scopes,
      approval: mailboxes.approval,
      connection: mailboxes.connection,
      status: mailboxes.status,
      statusReason: mailboxes.statusReason,
      failingSince: mailboxes.failingSince,
      grantId: oauthGrants.id,
      account: oauthGrants.account,
      scopes: oauthGrants.scopes,
      accessTokenExpiresAt: oauthGrants.accessTokenExpiresAt,
      lastRefreshAt: oauthGrants.lastRefreshAt,
      refreshTokenObtainedAt: oauthGrants.refreshTokenObtainedAt,
      consentedAt: oauthGrants.consentedAt,
      lastError: oauthGrants.lastError,
      revokedAt: oauthGrants.revokedAt,
      lastCheckedAt: oauthGrants.lastCheckedAt,
    })
    .from(mailboxes)
    .innerJoin(users, eq(users.id, mailboxes.ownerId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id));
}

type StatusSelection = Awaited<ReturnType<ReturnType<typeof selectStatusRows>['where']>>[number];

function statusOf(row: StatusSelection): MailboxTokenStatus {
  const grant =
    row.grantId && row.account !== null && row.consentedAt !== null
      ? {
          account: row.account,
          scopes: row.scopes ?? [],
          accessTokenExpiresAt: row.accessTokenExpiresAt,
          lastRefreshAt: row.lastRefreshAt,
          refreshTokenObtainedAt: row.refreshTokenObtainedAt,
          consentedAt: row.consentedAt,
          lastError: row.lastError,
          revokedAt: row.revokedAt,
        }
      : null;
  const status = toTokenStatus({
    mailbox: { connection: row.connection, statusReason: row.statusReason },
    profile: { serverType: row.serverType, publishingStatus: row.publishingStatus, scopes: row.profileScopes },
    grant,
  });
  return { ...status, ...tokenPurposeOf(row) };
}

/** The newest test of each mailbox of a page, in one query over connection_tests_mailbox_idx. */
async function latestTests(mailboxIds: string[]): Promise<Map<string, { ok: boolean | null; at: string }>> {
  if (mailboxIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([connectionTests.mailboxId], {
      mailboxId: connectionTests.mailboxId,
      ok: connectionTests.ok,
      startedAt: connectionTests.startedAt,
    })
    .from(connectionTests)
    .where(inArray(connectionTests.mailboxId, mailboxIds))
    .orderBy(connectionTests.mailboxId, sql`${connectionTests.startedAt} desc`);
  return new Map(rows.map((row) => [row.mailboxId, { ok: row.ok, at: row.startedAt.toISOString() }]));
}

function toRow(row: StatusSelection, lastTest: TokenStatusRow['lastTest']): TokenStatusRow {
  const status = statusOf(row);
  return {
    ...status,
    mailboxId: row.mailboxId,
    address: row.address,
    ownerId: row.ownerId,
    ownerEmail: row.ownerEmail,
    profileId: row.profileId,
    profileName: row.profileName,
    serverType: row.serverType,
    approval: row.approval,
    connection: row.connection,
    status: row.status,
    failingSince: row.failingSince?.toISOString() ?? null,
    consentedAt: status.state === 'none' ? null : (row.consentedAt?.toISOString() ?? null),
    lastCheckedAt: status.state === 'none' ? null : (row.lastCheckedAt?.toISOString() ?? null),
    lastTest,
  };
}

/** A row's place in the order: its address (unique) and its sort value as the cursor carries it. */
type PageKey = { address: string; value: string | null };

/**
 * The grant's times are indexed per standing, rows without a value included: (token_standing, time,
 * address). Failing since is too, but only where it has a value: most mailboxes are not failing.
 */
const indexesRowsWithoutValue = (column: AnyPgColumn) => column !== mailboxes.failingSince;

/** The sort value as the cursor carries it: to the microsecond PostgreSQL keeps, which a Date would round. */
const cursorValueOf = (column: AnyPgColumn) => sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The first `count` keys in `order` among the rows matching `where`; `byStanding`, one query per
 * standing merged by a UNION ALL: each reads its range of a (token_standing, column, address) index
 * (or, for a sparse filter, whatever the planner finds cheaper), so a page costs the same at any size.
 */
async function selectKeys({
  column,
  standings,
  byStanding,
  where,
  order,
  count,
}: {
  column: AnyPgColumn;
  standings: readonly TokenStanding[];
  byStanding: boolean;
  where: (SQL | undefined)[];
  order: AnyPgColumn[];
  count: number;
}): Promise<PageKey[]> {
  if (standings.length === 0) return [];
  const select = (condition: SQL | undefined) =>
    db
      // Only columns of the time indexes, so that a walk can read them alone; the bare column too, which
      // the union orders by, by name.
      .select({ address: mailboxes.address, value: cursorValueOf(column), sortValue: column })
      .from(mailboxes)
      .where(and(condition, ...where))
      .orderBy(...order.map((part) => asc(part)))
      .limit(count);
  if (!byStanding) return select(standingCondition(standings));
  const [first, second, ...others] = standings.map((standing) => select(eq(mailboxes.tokenStanding, standing)));
  if (!second) return first!;
  let union = first!.unionAll(second);
  for (const branch of others) union = union.unionAll(branch);
  return union.orderBy(...order.map((part) => asc(sql.identifier(part.name)))).limit(count);
}

/**
 * `count` keys after the cursor in (coalesce(column, infinity), address) order: the rows with a value
 * first, then the rows without one in address order.
 */
async function selectKeysInTimeOrder({
  column,
  standings,
  where,
  position,
  count,
}: {
  column: AnyPgColumn;
  standings: readonly TokenStanding[];
  where: (SQL | undefined)[];
  position: Cursor | null;
  count: number;
}): Promise<PageKey[]> {
  const pastValues = position !== null && position.value === null;
  const withValue = pastValues
    ? []
    : await selectKeys({
        column,
        standings,
        byStanding: true,
        where: [
          ...where,
          isNotNull(column),
          position?.value ? sql`(${column}, ${mailboxes.address}) > (${position.value}::timestamptz, ${position.address})` : undefined,
        ],
        order: [column, mailboxes.address],
        count,
      });
  if (withValue.length === count) return withValue;
  const withoutValue = await selectKeys({
    column,
    standings,
    byStanding: indexesRowsWithoutValue(column),
    where: [...where, isNull(column), pastValues ? gt(mailboxes.address, position.address) : undefined],
    // In address order, named with the column where a standing's index has it: that index keeps its
    // rows without a value last and by address, so the planner reads them there rather than guessing
    // how many it would meet along the address index.
    order: indexesRowsWithoutValue(column) ? [column, mailboxes.address] : [mailboxes.address],
    count: count - withValue.length,
  });
  return [...withValue, ...withoutValue];
}

/** A page of token statuses in the chosen order; the cursor carries the sort value and the address. */
export async function findTokenStatuses({
  viewer,
  filters = {},
  sort = 'address',
  limit,
  cursor,
}: {
  viewer: Viewer;
  filters?: TokenStatusFilters;
  sort?: TokenSort;
  limit: number;
  cursor?: string;
}): Promise<{ rows: TokenStatusRow[]; nextCursor: string | null }> {
  const position = cursor ? decodeCursor(cursor) : null;
  const { standings, where } = await narrowFilters(viewer, filters);
  const keys =
    sort === 'address'
      ? await db
          .select({ address: mailboxes.address, value: sql<null>`null` })
          .from(mailboxes)
          .where(and(standingCondition(standings), ...where, position ? gt(mailboxes.address, position.address) : undefined))
          .orderBy(asc(mailboxes.address))
          .limit(standings.length === 0 ? 0 : limit + 1)
      : await selectKeysInTimeOrder({ column: SORT_COLUMNS[sort], standings, where, position, count: limit + 1 });
  const page = keys.slice(0, limit);
  const rows = page.length === 0 ? [] : await selectStatusRows().where(inArray(mailboxes.address, page.map((key) => key.address)));
  const byAddress = new Map(rows.map((row) => [row.address, row]));
  const tests = await latestTests(rows.map((row) => row.mailboxId));
  const last = page.at(-1);
  return {
    // A mailbox deleted between the two reads is left out.
    rows: page.flatMap((key) => {
      const row = byAddress.get(key.address);
      return row ? [toRow(row, tests.get(row.mailboxId) ?? null)] : [];
    }),
    nextCursor: keys.length > limit && last ? encodeCursor({ address: last.address, value: last.value }) : null,
  };
}

/** One mailbox's token status (API.md's shape), within the viewer's scope: another owner's is not found. */
export async function getTokenStatus({ viewer, mailboxId }: { viewer: Viewer; mailboxId: string }): Promise<MailboxTokenStatus> {
  const [row] = await selectStatusRows()
    .where(and(eq(mailboxes.id, mailboxId), mailboxScope(viewer)))
    .limit(1);
  if (!row) throw notFound('mailbox');
  return statusOf(row);
}

/** The same, with the mailbox's facts, for the timeline page. */
export async function getTokenStatusRow({ viewer, mailboxId }: { viewer: Viewer; mailboxId: string }): Promise<TokenStatusRow | null> {
  const [row] = await selectStatusRows()
    .where(and(eq(mailboxes.id, mailboxId), mailboxScope(viewer)))
    .limit(1);
  if (!row) return null;
  const tests = await latestTests([row.mailboxId]);
  return toRow(row, tests.get(row.mailboxId) ?? null);
}

const CSV_COLUMNS: [string, (row: TokenStatusRow) => string | null][] = [
  ['address', (row) => row.address],
  ['owner', (row) => row.ownerEmail],
  ['profile', (row) => row.profileName],
  ['token state', (row) => row.state],
  ['connection', (row) => row.connection],
  ['status', (row) => row.status],
  ['account', (row) => row.account],
  ['scopes', (row) => row.scopes.join(' ')],
  ['missing scopes', (row) => row.missingScopes.join(' ')],
  ['access token expires at', (row) => row.accessTokenExpiresAt],
  ['last refresh at', (row) => row.lastRefreshAt],
  ['refresh token obtained at', (row) => row.refreshTokenObtainedAt],
  ['consented at', (row) => row.consentedAt],
  ['consent expires at', (row) => row.consentExpiresAt],
  ['last test', (row) => (row.lastTest ? `${row.lastTest.ok === null ? 'running' : row.lastTest.ok ? 'passed' : 'failed'} ${row.lastTest.at}` : null)],
  ['last error', (row) => (row.lastError ? `${row.lastError.code}: ${row.lastError.message}` : null)],
  ['hint', (row) => row.lastError?.hint ?? null],
  ['incoming protocol', (row) => row.protocols.incoming],
  ['outgoing protocol', (row) => row.protocols.outgoing],
  ['token resource', (row) => row.resource],
];

function csvCell(value: string | null): string {
  if (value === null) return '';
  // A leading = + - @ would be run as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The filtered set as CSV, read a page at a time so that 100,000 rows never sit in memory at once. */
export function streamTokenStatusCsv({
  viewer,
  filters,
  sort,
  pageSize = 1000,
}: {
  viewer: Viewer;
  filters: TokenStatusFilters;
  sort?: TokenSort;
  pageSize?: number;
}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_COLUMNS.map(([name]) => name).join(',') + '\r\n'));
        return;
      }
      const page = await findTokenStatuses({ viewer, filters, sort, limit: pageSize, cursor });
      const lines = page.rows.map((row) => CSV_COLUMNS.map(([, value]) => csvCell(value(row))).join(',') + '\r\n');
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join('')));
      if (!page.nextCursor) controller.close();
      else cursor = page.nextCursor;
    },
  });
}
