import 'server-only';
import type { PGlite } from '@electric-sql/pglite';

/** pg-boss's `db` option: one call per SQL text, answered with the rows of its (last) statement. */
export type PgliteJobDatabase = {
  executeSql: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;
  /** Resolves once no statement of pg-boss's is running, so that the PGlite client can be closed. */
  whenIdle: () => Promise<void>;
};

/**
 * pg-boss sends two kinds of SQL: single statements with `$1` parameters, and, to create or maintain
 * its schema, several statements wrapped in `BEGIN; … COMMIT;` without parameters. PGlite's `query()`
 * takes only the first kind. The second kind runs inside PGlite's own `transaction()`, which holds
 * PGlite's lock throughout and rolls back on error: a failed statement sent to `exec()` as is would
 * leave the one shared connection in an aborted transaction for every other Mailroom query.
 */
const TRANSACTION_BLOCK = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

export function createPgliteJobDatabase(client: PGlite): PgliteJobDatabase {
  const running = new Set<Promise<unknown>>();

  async function run(text: string, values: unknown[] | undefined): Promise<{ rows: unknown[] }> {
    const block = TRANSACTION_BLOCK.exec(text);
    if (block) {
      const results = await client.transaction((transaction) => transaction.exec(block[1]!));
      return { rows: results.at(-1)?.rows ?? [] };
    }
    const result = await client.query(text, values ?? []);
    return { rows: result.rows };
  }

  return {
    executeSql(text, values) {
      const statement = run(text, values);
      running.add(statement);
      void statement.finally(() => running.delete(statement)).catch(() => {});
      return statement;
    },
    async whenIdle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
