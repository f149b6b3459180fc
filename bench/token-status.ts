/**
 * Server time of the token status overview, alerts, health summary and list at 100,000 mailboxes
 * (three quarters of them with a grant; BENCH_MAILBOXES for another size, a million and beyond):
 * counts, first page, filtered pages, searches, every sort alone and with a state, a search or a
 * profile, and deep pages, on PGlite (default) or PostgreSQL (DATABASE_URL set). Prints the median,
 * p90 and p95 of each line; asserts nothing. BENCH_EXPLAIN=<a pattern of line names> prints the plans
 * of the matching lines' queries instead (EXPLAIN ANALYZE, BUFFERS).
 *   npm run bench:token-status
 */
import { performance } from 'node:perf_hooks';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { explain, measure, openBenchDatabase } from './measure';

const COUNT = Number(process.env.BENCH_MAILBOXES ?? 100_000);
const RUNS = 20;
const EXPLAIN = process.env.BENCH_EXPLAIN;

const database = await openBenchDatabase();

const { closeDatabase, databaseKind, db } = await import('@/db');
const { migrateDatabase } = await import('@/db/migrate');
const { findTokenStatuses } = await import('@/lib/tokens/find-token-statuses');
const { getTokenOverview } = await import('@/lib/tokens/overview');
const { getHealthSummary } = await import('@/lib/tokens/health-summary');
const { findAlerts } = await import('@/lib/alerts/find-alerts');
const { seedMailboxes, seededAddress } = await import('../tests/helpers/seed-mailboxes');
const { sql } = await import('drizzle-orm');
const { oauthGrants, users } = await import('@/db/schema');

try {
  await migrateDatabase();
  const seedStart = performance.now();
  const { profileIds } = await seedMailboxes({ count: COUNT });
  // Grants for the connected and needs-reconnect mailboxes, with expiries, refreshes and errors spread
  // out. Every last refresh is the same moment (one statement's now()), consents fall on ten days:
  // ties that the sorts must page through by address.
  await db.execute(sql`
    insert into oauth_grants (mailbox_id, profile_id, account, scopes, access_token_expires_at, refresh_token_obtained_at, consented_at, last_refresh_at, last_error, last_checked_at)
    select m.id, m.profile_id, m.address, '["https://mail.google.com/","openid","email"]'::jsonb,
      now() + ((row_number() over (order by m.address)) % 120 - 10) * interval '1 minute',
      now() - ((row_number() over (order by m.address)) % 100) * interval '1 day',
      now() - ((row_number() over (order by m.address)) % 10) * interval '1 day',
      now() - interval '30 minutes',
      case when (row_number() over (order by m.address)) % 50 = 0
        then '{"code":"invalid_client","message":"refused","hint":"fix the profile","at":"2025-01-01T00:00:00Z"}'::jsonb end,
      now()
    from mailboxes m where m.connection <> 'not_connected'`);
  await db.execute(sql`update mailboxes set failing_since = now() - interval '2 days' where status = 'failing'`);
  // A Google app in Testing and a Microsoft 365 profile, so that consent and stale-token counts have rows to find.
  await db.execute(sql`update server_profiles set publishing_status = 'testing' where id = ${profileIds[0]}::uuid`);
  await db.execute(sql`update server_profiles set server_type = 'microsoft365', auth_type = 'oauth2_code' where id = ${profileIds[1]}::uuid`);
  // As autovacuum leaves a table after a load: its visibility map lets the counts read their indexes alone.
  await db.execute(sql`vacuum analyze`);
  const result = await db.execute(sql`select relallvisible as visible, relpages as "all" from pg_class where relname = 'mailboxes'`);
  const [pages] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { visible: number; all: number }[];
  console.log(
    `${databaseKind()}: seeded ${COUNT} mailboxes and their grants in ${Math.round(performance.now() - seedStart)} ms ` +
      `(${pages?.visible} of ${pages?.all} pages of mailboxes all-visible)`,
  );

  const support = { id: '00000000-0000-4000-8000-000000000000', role: 'support' } as const;
  const [owner] = await db.select({ id: users.id }).from(users).where(sql`${users.email} = 'owner0420@example.org'`);
  const ownerViewer = { id: owner!.id, role: 'owner' } as const;
  const cursorAt = (value: string | null, address: string) => Buffer.from(JSON.stringify({ value, address })).toString('base64url');
  const middle = seededAddress(Math.floor(COUNT / 2));
  const nearEnd = seededAddress(Math.floor(COUNT * 0.99));
  const secondExpiryPage = (await findTokenStatuses({ viewer: support, limit: 50, sort: 'expiry' })).nextCursor!;
  // Cursors carry microseconds, as the list writes them.
  const latestOf = (column: AnyPgColumn) => sql<string>`to_char(max(${column}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [{ latest, refreshed } = { latest: '', refreshed: '' }] = await db
    .select({ latest: latestOf(oauthGrants.accessTokenExpiresAt), refreshed: latestOf(oauthGrants.lastRefreshAt) })
    .from(oauthGrants);
  const list = (options: Omit<Parameters<typeof findTokenStatuses>[0], 'viewer' | 'limit'>, viewer: Parameters<typeof findTokenStatuses>[0]['viewer'] = support) =>
    findTokenStatuses({ viewer, limit: 50, ...options });
  const cases: Record<string, () => Promise<unknown>> = {
    'overview (9 counts)': () => getTokenOverview(),
    'alerts': () => findAlerts(),
    'health summary (staff)': () => getHealthSummary({ viewer: support }),
    'health summary (an owner)': () => getHealthSummary({ viewer: ownerViewer }),
    'list: first page': () => list({}),
    'list: state revoked': () => list({ filters: { state: 'revoked' } }),
    'list: state expiring': () => list({ filters: { state: 'expiring' } }),
    'list: state refresh failing': () => list({ filters: { state: 'refresh_failing' } }),
    'list: profile + failing': () => list({ filters: { profileId: profileIds[0], status: 'failing' } }),
    'list: search owner prefix': () => list({ filters: { q: 'owner0420' } }),
    'list: an owner’s own': () => list({}, ownerViewer),
    'list: sorted by expiry': () => list({ sort: 'expiry' }),
    'list: expiry, second page': () => list({ sort: 'expiry', cursor: secondExpiryPage }),
    'list: expiry, across the last grants': () => list({ sort: 'expiry', cursor: cursorAt(latest, nearEnd) }),
    'list: expiry, among no expiry': () => list({ sort: 'expiry', cursor: cursorAt(null, middle) }),
    'list: expiry + state expiring': () => list({ sort: 'expiry', filters: { state: 'expiring' } }),
    'list: expiry + state valid': () => list({ sort: 'expiry', filters: { state: 'valid' } }),
    'list: expiry + state none': () => list({ sort: 'expiry', filters: { state: 'none' } }),
    'list: expiry + state refresh failing': () => list({ sort: 'expiry', filters: { state: 'refresh_failing' } }),
    'list: expiry + profile + failing': () => list({ sort: 'expiry', filters: { profileId: profileIds[0], status: 'failing' } }),
    'list: expiry + search owner prefix': () => list({ sort: 'expiry', filters: { q: 'owner0420' } }),
    'list: expiry, an owner’s own': () => list({ sort: 'expiry' }, ownerViewer),
    'list: sorted by last refresh': () => list({ sort: 'last_refresh' }),
    'list: last refresh, deep in a tie': () => list({ sort: 'last_refresh', cursor: cursorAt(refreshed, middle) }),
    'list: last refresh + state valid': () => list({ sort: 'last_refresh', filters: { state: 'valid' } }),
    'list: last refresh + state revoked': () => list({ sort: 'last_refresh', filters: { state: 'revoked' } }),
    'list: last refresh + profile + failing': () => list({ sort: 'last_refresh', filters: { profileId: profileIds[1], status: 'failing' } }),
    'list: last refresh + search owner prefix': () => list({ sort: 'last_refresh', filters: { q: 'owner0420' } }),
    'list: sorted by refresh age': () => list({ sort: 'refresh_age' }),
    'list: refresh age + due stale': () => list({ sort: 'refresh_age', filters: { due: 'microsoft_stale' } }),
    'list: sorted by consent': () => list({ sort: 'consent' }),
    'list: consent + due consent': () => list({ sort: 'consent', filters: { due: 'consent' } }),
    'list: consent + state expiring': () => list({ sort: 'consent', filters: { state: 'expiring' } }),
    'list: consent + state refresh failing': () => list({ sort: 'consent', filters: { state: 'refresh_failing' } }),
    'list: consent + search owner prefix': () => list({ sort: 'consent', filters: { q: 'owner0420' } }),
    'list: sorted by failing since': () => list({ sort: 'failing_since' }),
    'list: failing since + due failing': () => list({ sort: 'failing_since', filters: { due: 'failing_day' } }),
    'list: failing since + state revoked': () => list({ sort: 'failing_since', filters: { state: 'revoked' } }),
    'list: page in the middle': () => list({ cursor: cursorAt(null, middle) }),
  };
  for (const [name, run] of Object.entries(cases)) {
    if (EXPLAIN === undefined) await measure(name, run, { runs: RUNS, width: 42 });
    else if (new RegExp(EXPLAIN).test(name)) await explain(name, run);
  }
} finally {
  await closeDatabase();
  await database.drop();
}
