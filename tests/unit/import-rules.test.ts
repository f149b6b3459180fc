import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// The rules `npm run lint` keeps, run by dependency-cruiser on a small copy of the tree's layout:
// the real configuration, a few files, then one broken import at a time.
const root = fileURLToPath(new URL('../..', import.meta.url));
const depcruise = path.join(root, 'node_modules/.bin/depcruise');

const CLEAN_TREE: Record<string, string> = {
  'db/index.ts': "import 'server-only';\nexport const db = {};\n",
  'db/schema.ts': "export type UserRole = 'admin' | 'owner';\n",
  'lib/mailboxes/mailboxes.ts': "import 'server-only';\nimport { db } from '@/db';\nimport { isAddress } from './address';\nexport const getMailbox = () => db;\nexport const ok = isAddress;\n",
  // A cycle inside one folder is allowed.
  'lib/mailboxes/address.ts': "import { getMailbox } from './mailboxes';\nexport const isAddress = () => getMailbox;\n",
  'lib/tester/run-test.ts': "import 'server-only';\nimport { getMailbox } from '@/lib/mailboxes/mailboxes';\nexport const runTest = () => getMailbox();\n",
  'lib/mail/transport.ts': "export const send = () => 'sent';\n",
  'lib/tester/smtp-check.ts': "import { send } from '@/lib/mail/transport';\nexport const check = () => send();\n",
  'lib/oauth/token-endpoint.ts': "export const refresh = () => 'tokens';\n",
  'lib/tokens/grants.ts': "import { refresh } from '@/lib/oauth/token-endpoint';\nexport const save = () => refresh();\n",
  'lib/tokens/token-jobs.ts': "export const jobs = [];\n",
  // A connect uses both the protocol and the grant store, above them.
  'lib/connect/complete-authorization.ts':
    "import { refresh } from '@/lib/oauth/token-endpoint';\nimport { save } from '@/lib/tokens/grants';\nexport const complete = () => [refresh(), save()];\n",
  'lib/format/label.ts': "export const label = (text: string) => text.trim();\n",
  'app/mailboxes/page.tsx': "import { runTest } from '@/lib/tester/run-test';\nexport default function Page() { return runTest(); }\n",
    // A type-only import brings nothing of a server module to the browser.
  'app/mailboxes/panel.tsx': "'use client';\nimport { label } from '@/lib/format/label';\nimport type { runTest } from '@/lib/tester/run-test';\nexport const Panel = (test: typeof runTest) => label(String(test));\n",
};

let folder: string | undefined;

afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

async function lintTree(changes: Record<string, string> = {}): Promise<{ passed: boolean; output: string }> {
  folder = await mkdtemp(path.join(tmpdir(), 'mailroom-import-rules-'));
  await copyFile(path.join(root, '.dependency-cruiser.cjs'), path.join(folder, '.dependency-cruiser.cjs'));
  await writeFile(path.join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }));
  for (const [file, text] of Object.entries({ ...CLEAN_TREE, ...changes })) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), text);
  }
  try {
    const { stdout } = await promisify(execFile)(depcruise, ['--config', '.dependency-cruiser.cjs', 'app', 'lib', 'db'], { cwd: folder });
    return { passed: true, output: stdout };
  } catch (error) {
    const { stdout = '', code } = error as { stdout?: string; code?: number };
    if (typeof code !== 'number') throw error;
    return { passed: false, output: stdout };
  }
}

describe('the import rules of npm run lint', () => {
  it('pass on a tree that keeps them, including a cycle inside one lib folder', async () => {
    const result = await lintTree();
    expect(result.output).toContain('no dependency violations');
    expect(result.passed).toBe(true);
  });

  it('refuse a cycle between two lib folders', async () => {
    const result = await lintTree({
      'lib/mailboxes/address.ts': "import { runTest } from '@/lib/tester/run-test';\nexport const isAddress = () => runTest;\n",
    });
    expect(result.passed).toBe(false);
    expect(result.output).toContain('no-cycles-between-lib-folders');
  });

  it('refuse app/ importing db/', async () => {
    const result = await lintTree({
      'app/mailboxes/page.tsx': "import { db } from '@/db';\nexport default function Page() { return db; }\n",
    });
    expect(result.passed).toBe(false);
    expect(result.output).toContain('app-never-imports-db: app/mailboxes/page.tsx → db/index.ts');
  });

  it('refuse a client component importing a server-only lib module', async () => {
    const result = await lintTree({
      'app/mailboxes/panel.tsx': "'use client';\nimport { runTest } from '@/lib/tester/run-test';\nexport const Panel = () => runTest();\n",
    });
    expect(result.passed).toBe(false);
    expect(result.output).toContain('client-components-never-import-server-modules: app/mailboxes/panel.tsx → lib/tester/run-test.ts');
  });

  it('refuse an import against a one-way direction between lib folders, even without a cycle', async () => {
    const result = await lintTree({
      'lib/mail/transport.ts': "import type { check } from '@/lib/tester/smtp-check';\nexport const send = (by: typeof check) => String(by);\n",
    });
    expect(result.passed).toBe(false);
    expect(result.output).toContain('mail-never-imports-tester: lib/mail/transport.ts → lib/tester/smtp-check.ts');
  });

  it('refuse the OAuth protocol reaching up into the grant store or the connect flow', async () => {
    const result = await lintTree({
      'lib/oauth/token-endpoint.ts':
        "import { jobs } from '@/lib/tokens/token-jobs';\nimport type { complete } from '@/lib/connect/complete-authorization';\nexport const refresh = (by?: typeof complete) => [jobs, by];\n",
    });
    expect(result.passed).toBe(false);
    expect(result.output).toContain('oauth-never-imports-tokens: lib/oauth/token-endpoint.ts → lib/tokens/token-jobs.ts');
    expect(result.output).toContain('oauth-never-imports-connect: lib/oauth/token-endpoint.ts → lib/connect/complete-authorization.ts');
  });
});
