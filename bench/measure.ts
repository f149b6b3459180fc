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

/** Runs `run` once to warm up, then `runs` times; prints the median and p90 and returns the median. */
export async function measure(name: string, run: () => Promise<unknown>, { runs = 20, width = 36 } = {}): Promise<number> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)]!;
  const p90 = times[Math.floor(runs * 0.9)]!;
  console.log(`${name.padEnd(width)} median ${median.toFixed(1).padStart(7)} ms   p90 ${p90.toFixed(1).padStart(7)} ms`);
  return median;
}
