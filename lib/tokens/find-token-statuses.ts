import 'server-only';
import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { db } from '@/db';
import {
  connectionTests,
  mailboxes,
  oauthGrants,
  serverProfiles,
  users,
  type Mailbox,
  type ServerProfile,
} from '@/db/schema';
import { notFound } from '@/lib/errors';
import { PRINTABLE } from '@/lib/validations/common';
import { mailboxFilterConditions, mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { PROVIDER_IDS, PROVIDERS } from '@/lib/providers';
import type { Provider } from '@/lib/providers/provider';
import { refreshDueBySql } from './token-freshness';
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

/** `condition` for each server type whose descriptor has `pick`, each with its own value; false when none has. */
function perProvider<T>(pick: (provider: Provider) => T | null, condition: (value: T) => SQL): SQL {
  const parts = PROVIDER_IDS.flatMap((id) => {
    const value = pick(PROVIDERS[id]);
    return value === null ? [] : [and(eq(serverProfiles.serverType, id), condition(value))!];
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

/** Same byte-wise "starts with" as the mailbox list, answered by the text_pattern_ops indexes. */

const hasGrant = and(isNotNull(oauthGrants.id), ne(mailboxes.connection, 'not_connected'))!;
const revoked = and(hasGrant, or(eq(mailboxes.connection, 'needs_reconnect'), isNotNull(oauthGrants.revokedAt)))!;
const healthy = and(hasGrant, eq(mailboxes.connection, 'connected'), isNull(oauthGrants.revokedAt), isNull(oauthGrants.lastError))!;

function consentEndingBy(moment: Date): SQL {
  return and(
    eq(serverProfiles.publishingStatus, 'testing'),
    perProvider(
      (provider) => provider.testingApps,
      ({ consentLifetimeMs }) => lte(oauthGrants.consentedAt, new Date(moment.getTime() - consentLifetimeMs)),
    ),
  )!;
}

/** The SQL twin of deriveTokenState, so that a filtered list agrees with what each row shows. */
export function tokenStateCondition(state: TokenState, now = new Date()): SQL {
  const expiring = or(
    refreshDueBySql(now),
    consentEndingBy(new Date(now.getTime() + CONSENT_ENDING_MS)),
  )!;
  switch (state) {
    case 'none':
      return or(isNull(oauthGrants.id), eq(mailboxes.connection, 'not_connected'))!;
    case 'revoked':
      return revoked;
    case 'refresh_failing':
      return and(hasGrant, eq(mailboxes.connection, 'connected'), isNull(oauthGrants.revokedAt), isNotNull(oauthGrants.lastError))!;
    case 'expiring':
      return and(healthy, expiring)!;
    case 'valid':
      return and(healthy, sql`not coalesce(${expiring}, false)`)!;
  }
}

export function dueCondition(due: TokenDue, now = new Date()): SQL {
  switch (due) {
    case 'token':
      return and(healthy, refreshDueBySql(now))!;
    case 'consent':
      return and(hasGrant, consentEndingBy(new Date(now.getTime() + CONSENT_ENDING_MS)))!;
    case 'failing_day':
      return lte(mailboxes.failingSince, new Date(now.getTime() - DAY_MS));
    case 'microsoft_stale':
      return and(
        hasGrant,
        perProvider(
          (provider) => provider.idleRefreshTokens,
          ({ staleAfterMs }) => lte(oauthGrants.refreshTokenObtainedAt, new Date(now.getTime() - staleAfterMs)),
        ),
      )!;
  }
}

function filterConditions(filters: TokenStatusFilters): (SQL | undefined)[] {
  return [
    filters.state ? tokenStateCondition(filters.state) : undefined,
    filters.due ? dueCondition(filters.due) : undefined,
    ...mailboxFilterConditions(filters),
  ];
}

/** Soonest or oldest first, the rows without a value last, then by address. */
const SORT_COLUMNS: Record<Exclude<TokenSort, 'address'>, AnyPgColumn> = {
  expiry: oauthGrants.accessTokenExpiresAt,
  last_refresh: oauthGrants.lastRefreshAt,
  refresh_age: oauthGrants.refreshTokenObtainedAt,
  consent: oauthGrants.consentedAt,
  failing_since: mailboxes.failingSince,
};

const INFINITY = sql`'infinity'::timestamptz`;

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

/** How many rows with a value a page reads along the column's index before it sorts the filtered rest instead. */
const WINDOW = 1000;

/**
 * The first `count` rows with a value after the cursor, in (column, address) order, read along the
 * column's index. At most WINDOW rows of it: a filter that passes few of them (one that matches late
 * in that order, or nowhere) would walk the whole index row by row, so beyond the window what passes
 * the filters is sorted instead.
 */
async function selectWithValue({
  column,
  where,
  after,
  count,
}: {
  column: AnyPgColumn;
  where: (SQL | undefined)[];
  after: Cursor | null;
  count: number;
}): Promise<StatusSelection[]> {
  const start = after?.value ? sql`${column} >= ${after.value}::timestamptz` : undefined;
  // The window ends at a value, ties included, so that its rows sort among themselves.
  const [windowEnd] = await db
    .select({ value: column })
    .from(column.table)
    .where(and(lt(column, INFINITY), start))
    .orderBy(asc(column))
    .offset(WINDOW)
    .limit(1);
  const end = windowEnd?.value as Date | undefined;
  const inWindow = await selectStatusRows()
    .where(
      and(
        ...where,
        lt(column, INFINITY),
        start,
        after?.value ? sql`(${column}, ${mailboxes.address}) > (${after.value}::timestamptz, ${after.address})` : undefined,
        end ? lte(column, end) : undefined,
      ),
    )
    .orderBy(asc(column), asc(mailboxes.address))
    .limit(count);
  if (!end || inWindow.length === count) return inWindow;
  // Ordered by the coalesce rather than the bare column, so that the planner cannot walk the index again.
  const beyond = await selectStatusRows()
    .where(and(...where, gt(column, end), lt(column, INFINITY)))
    .orderBy(asc(sql`coalesce(${column}, ${INFINITY})`), asc(mailboxes.address))
    .limit(count - inWindow.length);
  return [...inWindow, ...beyond];
}

/** The first `count` rows whose sort value is infinity (no value, or no grant at all), in address order. */
async function selectWithoutValue({
  column,
  where,
  count,
}: {
  column: AnyPgColumn;
  where: (SQL | undefined)[];
  count: number;
}): Promise<StatusSelection[]> {
  const inAddressOrder = (condition: SQL) =>
    selectStatusRows()
      .where(and(...where, condition))
      .orderBy(asc(mailboxes.address))
      .limit(count);
  const noValue = or(isNull(column), gte(column, INFINITY))!;
  if (column.table !== oauthGrants) return inAddressOrder(noValue);
  // Two parts the planner estimates well, where one OR across the outer join misleads it:
  // `mailbox_id is null` becomes an anti-join, the other an inner join.
  return inAddressOrder(isNull(oauthGrants.mailboxId))
    .unionAll(inAddressOrder(and(isNotNull(oauthGrants.mailboxId), noValue)!))
    .orderBy(asc(mailboxes.address))
    .limit(count);
}

/**
 * `count` rows after the cursor in (coalesce(column, infinity), address) order, without sorting every
 * row of the join for each page: the rows with a value first, then the rows without one.
 */
async function selectInTimeOrder({
  column,
  where,
  position,
  count,
}: {
  column: AnyPgColumn;
  where: (SQL | undefined)[];
  position: Cursor | null;
  count: number;
}): Promise<StatusSelection[]> {
  const pastValues = position !== null && position.value === null;
  const rows = pastValues ? [] : await selectWithValue({ column, where, after: position, count });
  if (rows.length === count) return rows;
  const afterAddress = pastValues ? gt(mailboxes.address, position.address) : undefined;
  return [...rows, ...(await selectWithoutValue({ column, where: [...where, afterAddress], count: count - rows.length }))];
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
  const where = [mailboxScope(viewer), ...filterConditions(filters)];
  const rows =
    sort === 'address'
      ? await selectStatusRows()
          .where(and(...where, position ? gt(mailboxes.address, position.address) : undefined))
          .orderBy(asc(mailboxes.address))
          .limit(limit + 1)
      : await selectInTimeOrder({ column: SORT_COLUMNS[sort], where, position, count: limit + 1 });
  const page = rows.slice(0, limit);
  const tests = await latestTests(page.map((row) => row.mailboxId));
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          address: last.address,
          value: sort === 'address' ? null : ((last[sortField(sort)] as Date | null)?.toISOString() ?? null),
        })
      : null;
  return { rows: page.map((row) => toRow(row, tests.get(row.mailboxId) ?? null)), nextCursor };
}

function sortField(sort: Exclude<TokenSort, 'address'>): keyof StatusSelection {
  const fields = {
    expiry: 'accessTokenExpiresAt',
    last_refresh: 'lastRefreshAt',
    refresh_age: 'refreshTokenObtainedAt',
    consent: 'consentedAt',
    failing_since: 'failingSince',
  } as const;
  return fields[sort];
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
