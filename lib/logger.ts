import { getEnv } from '@/lib/env';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/**
 * One line of JSON per event on stderr. Callers pass names, ids and states: never a secret, token
 * or password (tests search the logs for known plaintexts).
 */
function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < LEVELS[getEnv().MAILROOM_LOG_LEVEL]) return;
  const line = JSON.stringify({ at: new Date().toISOString(), level, message, ...fields });
  process.stderr.write(`${line}\n`);
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

/**
 * An error as a log field: its name and the first line of its message. Database errors carry the
 * query's parameters from their second line on, and those are never logged.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split('\n')[0]!;
  return `${error.name}: ${error.message.split('\n')[0]}`;
}
