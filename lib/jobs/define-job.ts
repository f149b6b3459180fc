import type { Text } from '@/lib/i18n/render';
import type { z } from 'zod';
import type { HeldSlots, SlotRequest } from './shared-slots';

/** How far a job is, for a progress bar; its `message` is words for people, rendered in each reader's language. */
export type JobProgress = { done: number; total: number; message?: Text };

export type JobContext = {
  jobId: string;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
  /** Saves the progress where `getJobStatus()` reads it, for any portal instance. */
  reportProgress: (progress: JobProgress) => Promise<void>;
  /**
   * A resumable job's checkpoint: what the attempt before this one saved, when it was cut short by
   * its instance stopping; null otherwise. Parse it: it is plain JSON from another process.
   */
  checkpoint: unknown;
  /** Saves where this attempt has come to, for the instance that takes the job over if this one stops. */
  saveCheckpoint: (checkpoint: unknown) => Promise<void>;
  /** Waits for slots of a limit that holds across every portal instance, such as a profile's connections. */
  takeSlots: (request: SlotRequest) => Promise<HeldSlots>;
};

export type JobOptions = {
  /** Attempts after a failed one (pg-boss's default: 2). */
  retryLimit?: number;
  /** Seconds before a retry (default 0); with `retryBackoff` it doubles each attempt, with jitter. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** How long one attempt may run before it counts as failed (pg-boss's default: 15 minutes). */
  expireInSeconds?: number;
  /**
   * What jobs sent with the same `singletonKey` cannot do:
   * - 'queued': wait two at a time (a second send is ignored while one waits; one may run meanwhile);
   * - 'running': run two at a time (any number may wait);
   * - 'queued-and-running': both, so at most one waits and one runs per key. A job sent while another
   *   runs waits for it, which is what work on changing state (a token refresh) needs.
   * Without it, a `singletonKey` prevents nothing.
   */
  singleton?: 'queued' | 'running' | 'queued-and-running';
  /** Jobs of this kind one portal instance works at once (default 1). */
  concurrency?: number;
  /**
   * When the portal instance running it stops (stopped, crashed, killed), another instance retries it
   * within seconds, with the checkpoint it saved (see JobContext), instead of after `expireInSeconds`.
   * The retry counts against `retryLimit`. For long jobs whose handler can pick up where it was.
   */
  resumable?: boolean;
};

/** A recurring job: pg-boss sends it at most once a minute, whichever portal instance notices first. */
export type JobSchedule<Payload> = {
  /** Five fields, minute first: '*\/15 * * * *' is every quarter of an hour. */
  cron: string;
  payload: Payload;
  /** IANA name, default 'UTC'. */
  timezone?: string;
};

/**
 * One kind of background job. Payloads are stored as JSON and parsed again by the worker, so a
 * payload schema describes plain JSON (strings, numbers, booleans, arrays, objects) and its
 * transforms, if any, give the same result when applied twice (`.trim()` does).
 */
export type JobDefinition<Schema extends z.ZodType = z.ZodType, Result = unknown> = {
  name: string;
  payload: Schema;
  // A method, not a property, so that an array of jobs with different payloads type-checks.
  handle(payload: z.output<Schema>, context: JobContext): Promise<Result>;
  options: JobOptions;
  schedule?: JobSchedule<z.input<Schema>>;
};

const JOB_NAME = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

export function defineJob<Schema extends z.ZodType, Result>(
  definition: Omit<JobDefinition<Schema, Result>, 'options'> & { options?: JobOptions },
): JobDefinition<Schema, Result> {
  if (!JOB_NAME.test(definition.name)) {
    throw new Error(`Job name "${definition.name}" must be lowercase words joined by dots or hyphens, such as tokens.refresh-due`);
  }
  const { concurrency = 1, retryDelaySeconds = 0 } = definition.options ?? {};
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`Job ${definition.name}: concurrency must be a whole number of at least 1`);
  }
  if (!Number.isInteger(retryDelaySeconds) || retryDelaySeconds < 0) {
    throw new Error(`Job ${definition.name}: retryDelaySeconds must be a whole number of seconds`);
  }
  return { ...definition, options: definition.options ?? {} };
}
