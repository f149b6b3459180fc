import 'server-only';
import { sql } from 'drizzle-orm';
import { db } from '@/db';
import { describeError, logger } from '@/lib/logger';

const TIMEOUT_MS = 3_000;

export async function checkDatabase(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
    await Promise.race([db.execute(sql`select 1`), timeout]);
    return true;
  } catch (error) {
    logger.warn('database health check failed', { error: describeError(error) });
    return false;
  } finally {
    clearTimeout(timer);
  }
}
