import 'server-only';
import { db, type Executor } from '@/db';
import { connectionTestSteps } from '@/db/schema';
import { describeError, logger } from '@/lib/logger';
import type { Direction, StepOutcome } from './types';

type StepRow = typeof connectionTestSteps.$inferInsert;

export type StepWriter = {
  /** Queues a finished step; it reaches the database beside the checks, which never wait for it. */
  record: (direction: Direction, step: StepOutcome) => void;
  /** Once the checks are over: waits for the write under way, and writes nothing more itself. */
  stop: () => Promise<void>;
  /** Writes the steps still queued, in the verdict's transaction (after `stop`). */
  finish: (executor: Executor) => Promise<void>;
};

/**
 * A test's steps on their way to the database, for every instance that follows the test: one
 * write at a time, each taking every step that ended while the previous one was under way, so
 * that rows keep the order their steps ended in. A write that fails leaves its steps queued for
 * the verdict's transaction, which writes them or fails as a whole.
 */
export function createStepWriter(testId: string): StepWriter {
  let queued: StepRow[] = [];
  let writing: Promise<void> | null = null;
  // No write of its own once the verdict's transaction is near: on PGlite, whose one connection a
  // transaction holds, a write outside it would wait for the transaction, which would wait for it.
  let stopped = false;

  async function writeQueued(): Promise<void> {
    while (queued.length > 0 && !stopped) {
      const rows = queued;
      queued = [];
      try {
        await db.insert(connectionTestSteps).values(rows);
      } catch (error) {
        queued = [...rows, ...queued];
        stopped = true;
        logger.warn('connection test steps not written yet', { testId, error: describeError(error) });
      }
    }
    writing = null;
  }

  return {
    record(direction, { at, ...step }) {
      queued.push({ testId, direction, ...step, createdAt: at });
      if (!writing && !stopped) writing = writeQueued();
    },
    async stop() {
      stopped = true;
      await writing;
    },
    async finish(executor) {
      if (queued.length > 0) await executor.insert(connectionTestSteps).values(queued.splice(0));
    },
  };
}
