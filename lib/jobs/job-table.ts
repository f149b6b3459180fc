import 'server-only';
import { jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { JOB_QUEUE_SCHEMA } from './job-queue';

const jobQueueSchema = pgSchema(JOB_QUEUE_SCHEMA);

/**
 * The columns of pg-boss's job table that Mailroom reads, and writes while a job runs (its output),
 * for what pg-boss has no call for: progress, which instance runs it, jobs of stopped instances. The
 * table belongs to pg-boss (created and migrated by it, partitioned by `name`: filter on it).
 */
const jobColumns = {
  id: uuid('id').notNull(),
  name: text('name').notNull(),
  /** A pg-boss enum: created, retry, active, completed, cancelled, failed. */
  state: text('state').notNull(),
  data: jsonb('data'),
  output: jsonb('output'),
  startedOn: timestamp('started_on', { withTimezone: true }),
};

export const jobs = jobQueueSchema.table('job', jobColumns);

/** Where pg-boss moves finished jobs after a while (12 hours by default). */
export const archivedJobs = jobQueueSchema.table('archive', jobColumns);
