import 'server-only';
import type { z } from 'zod';
import type { JobDefinition, JobProgress } from './define-job';
import { getJobQueue, type JobQueue } from './job-queue';

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export type JobStatus<Result> = {
  id: string;
  state: JobState;
  /** Attempts that failed and were retried. */
  retryCount: number;
  /** While active, once the handler has reported some. */
  progress: JobProgress | null;
  /** Once completed: what the handler returned. */
  result: Result | null;
  /** Once failed, or while waiting for a retry: why the last attempt failed. */
  error: string | null;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
};

export const FINISHED_JOB_STATES: ReadonlySet<JobState> = new Set(['completed', 'cancelled', 'failed']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** pg-boss stores a handler's error as a serialized Error, and its own reasons (timeout, shutdown) as { value }. */
function errorMessage(output: unknown): string | null {
  if (!isRecord(output) || 'progress' in output) return null;
  const reason = 'value' in output ? output.value : output;
  if (typeof reason === 'string') return reason;
  return isRecord(reason) && typeof reason.message === 'string' ? reason.message : null;
}

/** A job's state and output by id, from any portal instance; null if there is no such job. */
export async function getJobStatus<Result>(
  job: JobDefinition<z.ZodType, Result>,
  id: string,
  { queue: given }: { queue?: JobQueue } = {},
): Promise<JobStatus<Result> | null> {
  const queue = given ?? (await getJobQueue());
  const found = await queue.boss.getJobById<unknown>(job.name, id, { includeArchive: true });
  if (!found) return null;
  const output: unknown = found.output;
  const completed = found.state === 'completed' && isRecord(output);
  const running = found.state === 'active' && isRecord(output) && isRecord(output.progress);
  return {
    id: found.id,
    state: found.state,
    retryCount: found.retryCount,
    progress: running ? (output.progress as JobProgress) : null,
    result: completed ? ((output.result ?? null) as Result | null) : null,
    error: found.state === 'completed' ? null : errorMessage(output),
    createdOn: found.createdOn,
    startedOn: found.startedOn ?? null,
    completedOn: found.completedOn ?? null,
  };
}
