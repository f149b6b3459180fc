import 'server-only';
import { sql } from 'drizzle-orm';
import { db } from '@/db';
import type { JobProgress } from './define-job';
import { JOB_QUEUE_SCHEMA } from './job-queue';

/**
 * pg-boss 10 writes a job's output only when it ends; while it runs, its progress goes in the same
 * column, so that any portal instance reads it by id. Completion then replaces it with the result.
 */
export async function reportJobProgress({ name, id, progress }: { name: string; id: string; progress: JobProgress }): Promise<void> {
  await db.execute(sql`
    update ${sql.identifier(JOB_QUEUE_SCHEMA)}.job
    set output = jsonb_build_object('progress', ${JSON.stringify(progress)}::jsonb)
    where name = ${name} and id = ${id}::uuid and state = 'active'
  `);
}
