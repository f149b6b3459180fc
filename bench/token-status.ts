/**
 * Server time of the token status overview and list at 100,000 mailboxes (three quarters of them
 * with a grant): overview counts, alerts, first page, filtered pages, a search, every sort alone and
 * with filters, and deep pages, on PGlite (default) or PostgreSQL (DATABASE_URL set). Prints
 * figures; asserts nothing.
 *   npm run bench:token-status
 */
import { performance } from 'node:perf_hooks';
import { measure, openBenchDatabase } from './measure';

const COUNT = Number(process.env.BENCH_MAILBOXES ?? 100_000);
const RUNS = 10;

const database = await openBenchDatabase();

const { closeDatabase, databaseKind, db } = await import('@/db');
const { migrateDatabase } = await import('@/db/migrate');
const { findTokenStatuses } = await import('@/lib/tokens/find-token-statuses');
const { getTokenOverview } = await import('@/lib/tokens/overview');
const { findAlerts } = await import('@/lib/alerts/find-alerts');
const { seedMailboxes } = await import('../tests/helpers/seed-mailboxes');
const { max, sql } = await import('drizzle-orm');
const { oauthGrants } = await import('@/db/schema');

try {
  await migrateDatabase();
  const seedStart = performance.now();
  const { profileIds } = await seedMailboxes({ count: COUNT });
  // Grants for the connected and needs-reconnect mailboxes, with expiries, refreshes and errors spread out.
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
  await db.execute(sql`analyze`);
  console.log(`${databaseKind()}: seeded ${COUNT} mailboxes and their grants in ${Math.round(performance.now() - seedStart)} ms`);

  const viewer = { id: '00000000-0000-4000-8000-000000000000', role: 'support' } as const;
  const cursorAt = (value: string | null, address: string) => Buffer.from(JSON.stringify({ value, address })).toString('base64url');
  const secondExpiryPage = (await findTokenStatuses({ viewer, limit: 50, sort: 'expiry' })).nextCursor!;
  const [{ latest } = { latest: null }] = await db.select({ latest: max(oauthGrants.accessTokenExpiresAt) }).from(oauthGrants);
  const cases = {
    'overview (9 counts)': () => getTokenOverview(),
    'alerts': () => findAlerts(),
    'list: first page': () => findTokenStatuses({ viewer, limit: 50 }),
    'list: state revoked': () => findTokenStatuses({ viewer, limit: 50, filters: { state: 'revoked' } }),
    'list: state expiring': () => findTokenStatuses({ viewer, limit: 50, filters: { state: 'expiring' } }),
    'list: profile + failing': () => findTokenStatuses({ viewer, limit: 50, filters: { profileId: profileIds[0], status: 'failing' } }),
    'list: search owner prefix': () => findTokenStatuses({ viewer, limit: 50, filters: { q: 'owner0420' } }),
    'list: sorted by expiry': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry' }),
    'list: expiry, second page': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry', cursor: secondExpiryPage }),
    'list: expiry, across the last grants': () =>
      findTokenStatuses({ viewer, limit: 50, sort: 'expiry', cursor: cursorAt(latest!.toISOString(), 'user099000@example.org') }),
    'list: expiry, among no expiry': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry', cursor: cursorAt(null, 'user050000@example.org') }),
    'list: expiry + state expiring': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry', filters: { state: 'expiring' } }),
    'list: expiry + state none': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry', filters: { state: 'none' } }),
    'list: expiry + profile + failing': () =>
      findTokenStatuses({ viewer, limit: 50, sort: 'expiry', filters: { profileId: profileIds[0], status: 'failing' } }),
    'list: expiry + search owner prefix': () => findTokenStatuses({ viewer, limit: 50, sort: 'expiry', filters: { q: 'owner0420' } }),
    'list: sorted by last refresh': () => findTokenStatuses({ viewer, limit: 50, sort: 'last_refresh' }),
    'list: sorted by refresh age': () => findTokenStatuses({ viewer, limit: 50, sort: 'refresh_age' }),
    'list: refresh age + due stale': () => findTokenStatuses({ viewer, limit: 50, sort: 'refresh_age', filters: { due: 'microsoft_stale' } }),
    'list: sorted by consent': () => findTokenStatuses({ viewer, limit: 50, sort: 'consent' }),
    'list: consent + due consent': () => findTokenStatuses({ viewer, limit: 50, sort: 'consent', filters: { due: 'consent' } }),
    'list: sorted by failing since': () => findTokenStatuses({ viewer, limit: 50, sort: 'failing_since' }),
    'list: failing since + due failing': () =>
      findTokenStatuses({ viewer, limit: 50, sort: 'failing_since', filters: { due: 'failing_day' } }),
    'list: page after user050000': () => findTokenStatuses({ viewer, limit: 50, cursor: cursorAt(null, 'user050000@example.org') }),
  };
  for (const [name, run] of Object.entries(cases)) await measure(name, run, { runs: RUNS });
} finally {
  await closeDatabase();
  await database.drop();
}
