import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const postgresUrl = process.env.DATABASE_URL;

// Integration and browser tests run once on the embedded database (PGlite) and, when
// DATABASE_URL is set, once more on PostgreSQL: each test file gets a database of its own.
const databases = [
  { name: 'pglite', env: { MAILROOM_TEST_DATABASE: 'pglite', DATABASE_URL: '' } },
  ...(postgresUrl
    ? [{ name: 'postgres', env: { MAILROOM_TEST_DATABASE: 'postgres', MAILROOM_TEST_POSTGRES_URL: postgresUrl } }]
    : []),
];

// Most test time is spent waiting on the lab's servers, PostgreSQL and child processes, not on the
// CPU: Vitest's default of one worker per core less one meant one file at a time on a 2-core machine.
const workers = Number(process.env.MAILROOM_TEST_WORKERS ?? 3);
if (!Number.isInteger(workers) || workers < 1) {
  throw new Error(`MAILROOM_TEST_WORKERS must be a whole number of test files to run at once, 1 or more (got "${process.env.MAILROOM_TEST_WORKERS}").`);
}

// Files of one group run side by side; the groups run one after another, in this order.
const GROUPS = { shared: 0, labWide: 1, browser: 2 };

export default defineConfig({
  resolve: { alias: { '@': root, 'server-only': `${root}tests/setup/server-only.ts` } },
  test: {
    globalSetup: ['tests/setup/lab.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: workers,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], sequence: { groupOrder: GROUPS.shared } } },
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['tests/lab/**/*.test.ts'],
          // These tests turn lab-wide faults on and off (a mail server unreachable, a persona's token
          // endpoint failing): they run alone, one file at a time, after every other file that uses the lab.
          sequence: { groupOrder: GROUPS.labWide },
          poolOptions: { forks: { singleFork: true } },
        },
      },
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `integration:${database.name}`,
          include: ['tests/integration/**/*.test.ts'],
          setupFiles: ['tests/setup/database.ts'],
          env: database.env,
          sequence: { groupOrder: GROUPS.shared },
        },
      })),
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `e2e:${database.name}`,
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/setup/build.ts'],
          env: database.env,
          // One portal and one browser at a time, as before: a project's files share one worker
          // process (each file still gets fresh modules), which Vitest's per-project
          // fileParallelism does not do when several projects run together.
          sequence: { groupOrder: GROUPS.browser },
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
        },
      })),
    ],
  },
});
