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

export default defineConfig({
  resolve: { alias: { '@': root, 'server-only': `${root}tests/setup/server-only.ts` } },
  test: {
    globalSetup: ['tests/setup/lab.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'lab', include: ['tests/lab/**/*.test.ts'] } },
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `integration:${database.name}`,
          include: ['tests/integration/**/*.test.ts'],
          setupFiles: ['tests/setup/database.ts'],
          env: database.env,
        },
      })),
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `e2e:${database.name}`,
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/setup/build.ts'],
          env: database.env,
          fileParallelism: false,
          testTimeout: 60_000,
        },
      })),
    ],
  },
});
