/**
 * Server time of the mailbox list at 100,000 mailboxes (BENCH_MAILBOXES for another size, a million
 * and beyond): first page, a filtered page, a search and a deep page, on PGlite (default) or
 * PostgreSQL (DATABASE_URL set). Prints the median, p90 and p95 of each; asserts nothing.
 *   npm run bench:mailboxes
 */
import { performance } from 'node:perf_hooks';
import { measure, openBenchDatabase } from './measure';

const COUNT = Number(process.env.BENCH_MAILBOXES ?? 100_000);
const RUNS = 20;

const database = await openBenchDatabase();

const { closeDatabase, databaseKind, db } = await import('@/db');
const { migrateDatabase } = await import('@/db/migrate');
const { findMailboxes } = await import('@/lib/mailboxes/mailboxes');
const { seedMailboxes, seededAddress } = await import('../tests/helpers/seed-mailboxes');
const { sql } = await import('drizzle-orm');

try {
  await migrateDatabase();
  const seedStart = performance.now();
  const { profileIds } = await seedMailboxes({ count: COUNT });
  console.log(`${databaseKind()}: seeded ${COUNT} mailboxes in ${Math.round(performance.now() - seedStart)} ms`);

  const viewer = { id: '00000000-0000-4000-8000-000000000000', role: 'admin' } as const;
  const middle = seededAddress(Math.floor(COUNT / 2));
  const cases = {
    'first page': () => findMailboxes({ viewer, limit: 50 }),
    'filtered page (profile + failing)': () => findMailboxes({ viewer, limit: 50, filters: { profileId: profileIds[0], status: 'failing' } }),
    'search by owner prefix': () => findMailboxes({ viewer, limit: 50, filters: { q: 'owner0420' } }),
    'search by address prefix': () => findMailboxes({ viewer, limit: 50, filters: { q: 'user0999' } }),
    'page in the middle': () => findMailboxes({ viewer, limit: 50, cursor: middle }),
  };
  for (const [name, run] of Object.entries(cases)) await measure(name, run, { runs: RUNS });
  const plan = await db.execute(
    sql`explain select * from mailboxes where profile_id = ${profileIds[0]}::uuid and status = 'failing' order by address limit 51`,
  );
  const rows = (Array.isArray(plan) ? plan : (plan as { rows: unknown[] }).rows) as Record<string, string>[];
  console.log('\nplan of the filtered page:\n' + rows.map((row) => `  ${Object.values(row)[0]}`).join('\n'));
} finally {
  await closeDatabase();
  await database.drop();
}
