// Global setup of the browser test projects: they start the built portal with `next start`, so
// the build must exist and be newer than every source file that goes into it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_ID = path.join(ROOT, '.next/BUILD_ID');
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
const OTHER_BUILD_RUNNING = 'Another next build process is already running';
const WAIT_FOR_OTHER_BUILD_MS = 5 * 60_000;
const SOURCE_FOLDERS = ['app', 'lib', 'db', 'drizzle'];
const CONFIG_FILES = [
  'next.config.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tailwind.config.ts',
  'postcss.config.mjs',
  'instrumentation.ts',
  'middleware.ts',
  'proxy.ts',
];

type Source = { file: string; modifiedMs: number };

function newestIn(folder: string): Source | undefined {
  let newest: Source | undefined;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const modifiedMs = statSync(file).mtimeMs;
    if (!newest || modifiedMs > newest.modifiedMs) newest = { file, modifiedMs };
  }
  return newest;
}

function newestSource(): Source | undefined {
  const candidates = [
    ...SOURCE_FOLDERS.map((folder) => path.join(ROOT, folder))
      .filter(existsSync)
      .map(newestIn),
    ...CONFIG_FILES.map((file) => path.join(ROOT, file))
      .filter(existsSync)
      .map((file) => ({ file, modifiedMs: statSync(file).mtimeMs })),
  ];
  return candidates.reduce<Source | undefined>(
    (newest, candidate) => (candidate && (!newest || candidate.modifiedMs > newest.modifiedMs) ? candidate : newest),
    undefined,
  );
}

function staleReason(): string | undefined {
  if (!existsSync(BUILD_ID)) return 'there is no build yet (.next/BUILD_ID is missing)';
  const builtMs = statSync(BUILD_ID).mtimeMs;
  const newest = newestSource();
  if (newest && newest.modifiedMs > builtMs) {
    return `${path.relative(ROOT, newest.file)} changed after the last build (${new Date(builtMs).toISOString()})`;
  }
  return undefined;
}

/** Runs `next build` with its output shown as it comes; resolves to that output and the exit code. */
async function runNextBuild(): Promise<{ exitCode: number; output: string }> {
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: ROOT,
    // Not the test runner's NODE_ENV=test: the portal under test is the production build.
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stderr.write(chunk);
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { exitCode: code ?? 1, output };
}

export default async function buildPortal(): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_OTHER_BUILD_MS;
  for (let reason = staleReason(); reason; reason = staleReason()) {
    console.log(`[e2e] Building the portal with next build: ${reason}.`);
    const { exitCode, output } = await runNextBuild();
    if (exitCode === 0) return;
    // Someone else (another test run, a developer) is building the same folder: their build may
    // well be the one these tests need, so wait for it and look again.
    if (!output.includes(OTHER_BUILD_RUNNING) || Date.now() > deadline) {
      throw new Error(`next build failed (exit code ${exitCode}); see its output above.`);
    }
    console.log('[e2e] Another next build is running in this folder; waiting for it to finish.');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}
