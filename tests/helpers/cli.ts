import { spawn } from 'node:child_process';
import path from 'node:path';

export type CliResult = { exitCode: number; stdout: string; stderr: string };

const root = path.resolve(import.meta.dirname, '../..');

/** Runs `npm run mailroom -- <args>` as a user would, against the database `env` points at. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      ['--conditions=react-server', 'scripts/mailroom.ts', ...args],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/**
 * Creates each person with `user:create`, then an API key for the first with `apikey:create`, as an
 * operator would before the portal starts; resolves with that key.
 */
export async function createUsersWithKey(
  people: readonly { email: string; password: string; role: 'admin' | 'owner' | 'support' | 'service' }[],
  env: Record<string, string | undefined>,
): Promise<string> {
  for (const { email, password, role } of people) {
    const created = await runCli(['user:create', '--email', email, '--role', role, '--password', password], env);
    if (created.exitCode !== 0) throw new Error(`user:create ${email} failed: ${created.stderr}`);
  }
  const key = await runCli(['apikey:create', '--email', people[0]!.email], env);
  if (key.exitCode !== 0) throw new Error(`apikey:create failed: ${key.stderr}`);
  return key.stdout.trim().split('\n').at(-1)!;
}
