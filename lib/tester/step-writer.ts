import 'server-only';
import { db, type Executor } from '@/db';
import { connectionTestSteps, type ConnectionTestStep } from '@/db/schema';
import { describeError, logger } from '@/lib/logger';
import type { Direction, StepOutcome } from './types';

type StepRow = Omit<ConnectionTestStep, 'id'>;

/** Steps that end within this long of each other share one write; the mailbox page asks every 400 ms. */
const WRITE_EVERY_MS = 50;

export type StepWriter = {
  /** Queues a finished step; it reaches the database beside the checks, which never wait for it. */
  record: (direction: Direction, step: StepOutcome) => void;
  /** Once the checks are over: waits for the write under way, and writes nothing more itself. */
  stop: () => Promise<void>;
  /** Writes the steps still queued, in the verdict's transaction (after `stop`). */
  finish: (executor: Executor) => Promise<void>;
  /** Every step recorded, as written. */
  rows: () => readonly StepRow[];
};

/**
 * A test's steps on their way to the database, for every instance that follows the test: written
 * together, at most every WRITE_EVERY_MS and one write at a time, so that rows keep the order
 * their steps ended in and a test over within that time writes its steps with its verdict. A
 * write that fails leaves its steps queued for the verdict's transaction, which writes them or
 * fails as a whole.
 */
export function createStepWriter(testId: string): StepWriter {
  const recorded: StepRow[] = [];
  let queued: StepRow[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;
  // No write of its own once the verdict's transaction is near: on PGlite, whose one connection a
  // transaction holds, a write outside it would wait for the transaction, which would wait for it.
  let stopped = false;

  async function writeQueued(): Promise<void> {
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

  function schedule(): void {
    if (timer || writing || stopped || queued.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      writing = writeQueued().finally(() => {
        writing = null;
        schedule();
      });
    }, WRITE_EVERY_MS);
  }

  return {
    record(direction, { at, ...step }) {
      const row: StepRow = { testId, direction, ...step, createdAt: at };
      recorded.push(row);
      queued.push(row);
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await writing;
    },
    async finish(executor) {
      if (queued.length > 0) await executor.insert(connectionTestSteps).values(queued.splice(0));
    },
    rows: () => recorded,
  };
}
