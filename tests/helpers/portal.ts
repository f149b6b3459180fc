import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { runCli, type CliResult } from './cli';
import { createTestDatabase, type TestDatabase } from './database';
import { getLab } from './lab';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export type Portal = {
  /** `http://127.0.0.1:<port>`, also the portal's MAILROOM_PUBLIC_URL. */
  url: string;
  /** Outlives the portal: start another portal on it, or drop it when the test file is done. */
  database: TestDatabase;
  /** Every line the server wrote to stdout and stderr so far. */
  logs: () => string[];
  /** Runs `npm run mailroom -- <args>` on this portal's database. On PGlite, stop the portal first. */
  runCli: (args: string[]) => Promise<CliResult>;
  /** Ends the server and every process it started. The database is kept. */
  stop: () => Promise<void>;
};

export type StartPortalOptions = {
  /** Defaults to a fresh database from `createTestDatabase()`. */
  database?: TestDatabase;
  /** Extra environment variables for the server, applied last. */
  env?: Record<string, string>;
  /** A port chosen beforehand (from `findFreePort()`), when something must know the URL first. */
  port?: number;
  /**
   * Trusts the lab's CA the way a deployment trusts a company CA, through Node's store
   * (NODE_EXTRA_CA_CERTS, a file in the database's folder).
   */
  trustLabCa?: boolean;
};

/**
 * MAILROOM_EXTRA_PROVIDER_ORIGINS for tests: the lab's Google and Microsoft personas, and its Graph and
 * Gmail API services, stand in for the providers on 127.0.0.1, so Gmail and Microsoft 365 profiles may
 * point at them. Empty without a lab.
 */
export function labProviderOrigins(): string {
  const lab = inject('lab');
  if (!lab.available) return '';
  const personaUrls = Object.values(lab.personas).flatMap((persona) => [persona.issuer, ...Object.values(persona.endpoints)]);
  const apiUrls = Object.values(lab.api).map((api) => api.baseUrl);
  const origins = [...personaUrls, ...apiUrls].flatMap((url) => (url ? [new URL(url).origin] : []));
  return [...new Set(origins)].join(',');
}

/** The environment a Mailroom process gets: the caller's, minus what belongs to the test runner or the developer's own setup. */
function mailroomEnv(database: TestDatabase, extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(VITEST|MAILROOM_|NEXTAUTH_|NEXT_|__NEXT)/.test(name) && !['NODE_ENV', 'DATABASE_URL', 'TEST', 'PORT'].includes(name),
    ),
  );
  return {
    ...inherited,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    MAILROOM_EXTRA_PROVIDER_ORIGINS: labProviderOrigins(),
    ...database.env,
    ...extra,
  };
}

export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('Could not find a free port.');
  return address.port;
}

function collectLines(child: ChildProcess, lines: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    stream?.on('end', () => {
      if (partial) lines.push(partial);
      partial = '';
    });
  }
}

function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

/** SIGTERM lets Next.js exit through its own handler (which releases the PGlite lock); SIGKILL is the fallback. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !isGroupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  if (await waitUntil(() => !isGroupAlive(pid), STOP_TIMEOUT_MS)) return;
  process.kill(-pid, 'SIGKILL');
  await waitUntil(() => !isGroupAlive(pid), STOP_TIMEOUT_MS);
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { status?: string };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Starts the built portal (`next start`) on a free loopback port and resolves once `/api/health`
 * answers ok. Each portal runs in a process group of its own so that `stop()` leaves nothing behind.
 */
export async function startPortal({ database, env = {}, port: chosenPort, trustLabCa = false }: StartPortalOptions = {}): Promise<Portal> {
  const portalDatabase = database ?? (await createTestDatabase());
  if (trustLabCa) {
    const caFile = path.join(portalDatabase.dataDir, 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    env = { NODE_EXTRA_CA_CERTS: caFile, ...env };
  }
  const port = chosenPort ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env: mailroomEnv(portalDatabase, { MAILROOM_PUBLIC_URL: url, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  collectLines(child, lines);
  let exited = false;
  child.once('exit', () => (exited = true));

  const portal: Portal = {
    url,
    database: portalDatabase,
    logs: () => [...lines],
    runCli: (args) => runCli(args, { ...portalDatabase.env, ...env }),
    stop: () => stopProcessGroup(child),
  };

  const ready = await waitUntil(async () => exited || (await isHealthy(url)), READY_TIMEOUT_MS);
  if (!ready || exited) {
    await portal.stop();
    const reason = exited ? `exited with code ${child.exitCode}` : `did not answer /api/health within ${READY_TIMEOUT_MS} ms`;
    throw new Error(`The portal ${reason}. Its output:\n${lines.join('\n')}`);
  }
  return portal;
}

/** A caller of a running portal's HTTP API with one API key; every answer must be a success, its body JSON. */
export function portalApi(portal: Pick<Portal, 'url'>, key: string) {
  return async (method: string, route: string, body?: unknown): Promise<{ json: Record<string, unknown>; text: string }> => {
    const response = await fetch(`${portal.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return { json: JSON.parse(text) as Record<string, unknown>, text };
  };
}
