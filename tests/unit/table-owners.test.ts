import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// One owner per table (issue 15): each table is written (insert, update, delete) by one lib/ folder,
// which exposes what other domains need and takes their transaction. Key rotation (lib/crypto)
// re-encrypts every secret column through the column's own table object, which this scan does not
// see by design: it changes ciphertexts, never what a row says.
const root = fileURLToPath(new URL('../..', import.meta.url));

const OWNERS: Record<string, string> = {
  users: 'lib/users',
  apiKeys: 'lib/auth',
  passwordLinks: 'lib/users',
  authThrottles: 'lib/auth',
  serverProfiles: 'lib/profiles',
  mailboxes: 'lib/mailboxes',
  mailboxImports: 'lib/mailboxes',
  mailboxImportBatches: 'lib/mailboxes',
  oauthGrants: 'lib/tokens',
  tokenRefreshes: 'lib/tokens',
  mailboxSystemUses: 'lib/tokens',
  oauthAuthorizations: 'lib/oauth',
  reconnectLinks: 'lib/oauth',
  connectionTests: 'lib/tester',
  connectionTestSteps: 'lib/tester',
  portalSettings: 'lib/settings',
  auditEvents: 'lib/audit',
  outboxMessages: 'lib/outbox',
  // Written by mailboxes' triggers (migration 0016); folded where it is read.
  mailboxCounts: 'lib/tokens',
};

type Write = { table: string; verb: 'insert' | 'update' | 'delete'; line: number };

/** Drizzle writes in a source text: `.insert(table)`, `.update(table)`, `.delete(table)`, chained across lines or not. */
function findTableWrites(source: string, tables: readonly string[]): Write[] {
  const writes: Write[] = [];
  for (const match of source.matchAll(/\.\s*(insert|update|delete)\s*\(\s*([A-Za-z_$][\w$]*)\s*\)/g)) {
    const table = match[2]!;
    if (!tables.includes(table)) continue;
    writes.push({ table, verb: match[1] as Write['verb'], line: source.slice(0, match.index).split('\n').length });
  }
  return writes;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

const schemaTables = [...readFileSync(path.join(root, 'db/schema.ts'), 'utf8').matchAll(/export const (\w+) = pgTable\(/g)].map((match) => match[1]!);

function writesOutsideOwners(files: Record<string, string>): string[] {
  return Object.entries(files).flatMap(([file, source]) =>
    findTableWrites(source, Object.keys(OWNERS))
      .filter((write) => !file.startsWith(`${OWNERS[write.table]}/`))
      .map((write) => `${file}:${write.line} ${write.verb}s ${write.table}, owned by ${OWNERS[write.table]}`),
  );
}

describe('one owner per table', () => {
  it('finds writes however they are chained, and only writes to tables', () => {
    const source = [
      "await tx.update(mailboxes).set({ status: 'disabled' });",
      'const [row] = await db',
      '  .insert(oauthGrants)',
      '  .values(values);',
      'await executor . delete( auditEvents );',
      'seen.delete(mailboxId);',
      "hash.update('text');",
      'await db.select().from(mailboxes);',
    ].join('\n');
    expect(findTableWrites(source, ['mailboxes', 'oauthGrants', 'auditEvents'])).toEqual([
      { table: 'mailboxes', verb: 'update', line: 1 },
      { table: 'oauthGrants', verb: 'insert', line: 3 },
      { table: 'auditEvents', verb: 'delete', line: 5 },
    ]);
  });

  it('reports a write outside the owner folder, and none inside it', () => {
    expect(
      writesOutsideOwners({
        'lib/mailboxes/mailboxes.ts': 'await tx.update(mailboxes).set(patch);',
        'lib/tester/run-connection-test.ts': 'await tx\n  .update(mailboxes)\n  .set(patch);',
      }),
    ).toEqual(['lib/tester/run-connection-test.ts:2 updates mailboxes, owned by lib/mailboxes']);
  });

  it('names an owner for every table of the schema', () => {
    expect(schemaTables.length).toBeGreaterThan(0);
    expect(Object.keys(OWNERS).sort()).toEqual([...schemaTables].sort());
  });

  it('holds in lib/ and app/: every table is written only by its owner', () => {
    const files = Object.fromEntries(['lib', 'app'].flatMap(sourceFiles).map((file) => [file, readFileSync(path.join(root, file), 'utf8')]));
    expect(Object.keys(files).length).toBeGreaterThan(50);
    expect(writesOutsideOwners(files)).toEqual([]);
  });
});
