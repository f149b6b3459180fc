import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { db } from '@/db';
import type { JobProgress } from './define-job';
import { jobs } from './job-table';

/**
 * What a running job's output holds. pg-boss 10 writes a job's output only when it ends; while it
 * runs, the same column tells any portal instance how far it is, which instance runs it and where a
 * resumable job has come to. Completion replaces it with `{ result, instance }`.
 */
export type RunningJobOutput = { instance?: number; progress?: JobProgress; checkpoint?: unknown };

async function mergeIntoOutput({ name, id }: { name: string; id: string }, fields: RunningJobOutput): Promise<void> {
  await db
    .update(jobs)
    .set({ output: sql`coalesce(${jobs.output}, '{}'::jsonb) || ${JSON.stringify(fields)}::jsonb` })
    .where(and(eq(jobs.name, name), eq(jobs.id, id), sql`${jobs.state} = 'active'`));
}

/**
 * Marks a job this instance has just taken, keeping the checkpoint of the attempt before (what a
 * retry after a failure, rather than a stopped instance, leaves in the output is dropped).
 */
export async function markJobInstance(job: { name: string; id: string }, { instance, checkpoint }: { instance: number; checkpoint: unknown }): Promise<void> {
  await db
    .update(jobs)
    .set({ output: { instance, ...(checkpoint === null ? {} : { checkpoint }) } })
    .where(and(eq(jobs.name, job.name), eq(jobs.id, job.id), sql`${jobs.state} = 'active'`));
}

export function reportJobProgress(job: { name: string; id: string }, progress: JobProgress): Promise<void> {
  return mergeIntoOutput(job, { progress });
}

export function saveJobCheckpoint(job: { name: string; id: string }, checkpoint: unknown): Promise<void> {
  return mergeIntoOutput(job, { checkpoint });
}
