import { performance } from 'node:perf_hooks';
import { createTestDatabase, type TestDatabase } from '../tests/helpers/database';

/**
 * A database of its own for a bench, PGlite by default or PostgreSQL when DATABASE_URL is set, with
 * Mailroom's environment pointed at it: import Mailroom modules only after this.
 */
export async function openBenchDatabase(extraEnv: Record<string, string> = {}): Promise<TestDatabase> {
  if (process.env.DATABASE_URL) process.env.MAILROOM_TEST_POSTGRES_URL ??= process.env.DATABASE_URL;
  const database = await createTestDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  Object.assign(process.env, database.env, extraEnv);
  return database;
}

/** The value below which `share` of the sorted times fall (nearest rank). */
function percentile(sorted: number[], share: number): number {
  return sorted[Math.max(0, Math.ceil(sorted.length * share) - 1)]!;
}

/** Runs `run` once to warm up, then `runs` times; prints the median, p90 and p95 and returns the median. */
export async function measure(name: string, run: () => Promise<unknown>, { runs = 20, width = 36 } = {}): Promise<number> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const figures = { median: percentile(times, 0.5), p90: percentile(times, 0.9), p95: percentile(times, 0.95) };
  const shown = (ms: number) => ms.toFixed(1).padStart(7);
  console.log(`${name.padEnd(width)} median ${shown(figures.median)} ms   p90 ${shown(figures.p90)} ms   p95 ${shown(figures.p95)} ms`);
  return figures.median;
}

type LoggedQuery = { query: string; params: unknown[] };

/**
 * Runs `run` once and prints EXPLAIN (ANALYZE, BUFFERS) of every query it sent, run again with the
 * same parameters: whether each reads along an index, and how many rows and pages it touched.
 */
export async function explain(name: string, run: () => Promise<unknown>): Promise<void> {
  const { db, databaseClient } = await import('@/db');
  const session = (db as unknown as { session: { logger: { logQuery: (query: string, params: unknown[]) => void } } }).session;
  const queries: LoggedQuery[] = [];
  const previous = session.logger;
  session.logger = { logQuery: (query, params) => queries.push({ query, params }) };
  try {
    await run();
  } finally {
    session.logger = previous;
  }
  const client = databaseClient();
  console.log(`\n=== ${name}`);
  for (const { query, params } of queries) {
    const text = `explain (analyze, buffers) ${query}`;
    const rows = 'unsafe' in client ? await client.unsafe(text, params as never[]) : (await client.query<Record<string, string>>(text, params)).rows;
    console.log(`--- ${query.slice(0, 160)}${query.length > 160 ? '…' : ''}`);
    // Long lines are the ids of a page, spelled out: the start of each says enough.
    for (const row of rows as Record<string, string>[]) console.log(`  ${String(Object.values(row)[0]).slice(0, 240)}`);
  }
}
