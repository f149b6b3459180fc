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
