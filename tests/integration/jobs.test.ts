import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { db, databaseKind } from '@/db';
import { defineJob, type JobProgress } from '@/lib/jobs/define-job';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { enqueueJobs } from '@/lib/jobs/enqueue-jobs';
import { getJobStatus } from '@/lib/jobs/get-job-status';
import { createJobQueue, getJobQueue, stopJobQueue, type JobQueue } from '@/lib/jobs/job-queue';
import { jobs } from '@/lib/jobs/job-table';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { syncJobSchedules } from '@/lib/jobs/sync-job-schedules';
import { waitForJob } from '@/lib/jobs/wait-for-job';
import { waitUntil } from '../helpers/wait-until';


/** A promise the test resolves by hand, to hold a handler while it looks at the queue. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

let queue: JobQueue;

beforeAll(async () => {
  queue = await createJobQueue({ pollingIntervalSeconds: 0.5, scheduleCheckIntervalSeconds: 1 });
});

afterAll(async () => {
  await queue.stop();
  await stopJobQueue();
});

describe(`background jobs on ${databaseKind()}`, () => {
  it('works a sent job with its parsed payload, through the process queue', async () => {
    const received: unknown[] = [];
    const greet = defineJob({
      name: 'test.greet',
      payload: z.object({ name: z.string().trim().min(1), times: z.number().int().default(1) }),
      handle: async (payload) => {
        received.push(payload);
        return { greeting: `hello ${payload.name}`.repeat(payload.times) };
      },
    });
    await startJobWorkers([greet]);

    const id = await enqueueJob(greet, { name: '  Ada ' });
    const status = await waitForJob(greet, id!);

    expect(status.state).toBe('completed');
    expect(status.result).toEqual({ greeting: 'hello Ada' });
    expect(received).toEqual([{ name: 'Ada', times: 1 }]);
    expect((await getJobQueue()).boss).toBeDefined();
  });

  it('retries a failing job, then marks it failed with its error', async () => {
    const attempts: number[] = [];
    const flaky = defineJob({
      name: 'test.always-fails',
      payload: z.object({ mailbox: z.string() }),
      handle: async (payload, { attempt }) => {
        attempts.push(attempt);
        throw new Error(`${payload.mailbox} is unreachable (attempt ${attempt})`);
      },
      options: { retryLimit: 2, retryDelaySeconds: 0 },
    });
    await startJobWorkers([flaky], { queue });

    const id = await enqueueJob(flaky, { mailbox: 'ops@example.org' }, { queue });
    const status = await waitForJob(flaky, id!, { queue });

    expect(status.state).toBe('failed');
    expect(status.retryCount).toBe(2);
    expect(status.error).toBe('ops@example.org is unreachable (attempt 3)');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('refuses an invalid payload before sending it, with the zod message', async () => {
    const neverWorked = defineJob({
      name: 'test.never-worked',
      payload: z.object({ mailboxId: z.uuid() }),
      handle: async () => undefined,
    });

    const sending = enqueueJob(neverWorked, { mailboxId: 'not-a-uuid' }, { queue });

    await expect(sending).rejects.toThrow(z.ZodError);
    await expect(sending).rejects.toThrow(/Invalid UUID/);
    expect(await queue.boss.getQueueSize(neverWorked.name)).toBe(0);
  });

  it('keeps a running job’s progress readable by id, then its result', async () => {
    const release = gate();
    const bulkTest = defineJob({
      name: 'test.bulk-progress',
      payload: z.object({ mailboxes: z.number().int() }),
      handle: async ({ mailboxes }, { reportProgress }) => {
        await reportProgress({ done: 1, total: mailboxes });
        await release.opened;
        return { passed: mailboxes };
      },
    });
    await startJobWorkers([bulkTest], { queue });

    const id = await enqueueJob(bulkTest, { mailboxes: 3 }, { queue });
    const progress = await waitUntil<JobProgress>('progress', async () => {
      const status = await getJobStatus(bulkTest, id!, { queue });
      return status?.progress ?? undefined;
    });
    expect(progress).toEqual({ done: 1, total: 3 });
    expect((await getJobStatus(bulkTest, id!, { queue }))?.state).toBe('active');

    release.open();
    const finished = await waitForJob(bulkTest, id!, { queue });
    expect(finished).toMatchObject({ state: 'completed', result: { passed: 3 }, progress: null, error: null });
  });

  it('lets one job per singleton key wait and one run, never two of either', async () => {
    const release = gate();
    let running = 0;
    let mostAtOnce = 0;
    const refresh = defineJob({
      name: 'test.refresh-grant',
      payload: z.object({ grantId: z.string() }),
      handle: async () => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await release.opened;
        running -= 1;
      },
      // Two workers, so that only the policy keeps a second job of the key from running.
      options: { singleton: 'queued-and-running', concurrency: 2 },
    });
    const send = () => enqueueJob(refresh, { grantId: 'g1' }, { singletonKey: 'g1', queue });

    const first = await send();
    expect(first).toEqual(expect.any(String));
    expect(await send()).toBeNull();

    await startJobWorkers([refresh], { queue });
    await waitUntil('the first job to run', async () =>
      (await getJobStatus(refresh, first!, { queue }))?.state === 'active' ? true : undefined,
    );
    const second = await send();
    expect(second).toEqual(expect.any(String));
    expect(await send()).toBeNull();
    expect(await enqueueJob(refresh, { grantId: 'g2' }, { singletonKey: 'g2', queue })).toEqual(expect.any(String));

    release.open();
    for (const id of [first!, second!]) expect((await waitForJob(refresh, id, { queue })).state).toBe('completed');
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    expect((await getJobStatus(refresh, second!, { queue }))!.startedOn!.getTime()).toBeGreaterThanOrEqual(
      (await getJobStatus(refresh, first!, { queue }))!.completedOn!.getTime(),
    );
  });

  it('runs a recurring job from its cron schedule', async () => {
    const runs: unknown[] = [];
    const digest = defineJob({
      name: 'test.cron-digest',
      payload: z.object({ kind: z.literal('daily') }),
      handle: async (payload) => {
        runs.push(payload);
      },
      schedule: { cron: '* * * * *', payload: { kind: 'daily' } },
    });
    await startJobWorkers([digest], { queue });
    await syncJobSchedules([digest], { queue });

    await waitUntil('the scheduled job to run', () => (runs.length > 0 ? true : undefined));
    expect(runs[0]).toEqual({ kind: 'daily' });

    await syncJobSchedules([{ ...digest, schedule: undefined }], { queue });
    expect(await queue.boss.getSchedules()).toEqual([]);
  });

  it('lets a running job finish when its queue stops', async () => {
    const stopping = await createJobQueue({ pollingIntervalSeconds: 0.5 });
    const release = gate();
    const slow = defineJob({
      name: 'test.finish-on-stop',
      payload: z.object({}),
      handle: async () => {
        await release.opened;
        return 'done';
      },
    });
    await startJobWorkers([slow], { queue: stopping });
    const id = await enqueueJob(slow, {}, { queue: stopping });
    await waitUntil('the job to run', async () =>
      (await getJobStatus(slow, id!, { queue }))?.state === 'active' ? true : undefined,
    );

    const stopped = stopping.stop();
    release.open();
    await stopped;

    expect(await getJobStatus(slow, id!, { queue })).toMatchObject({ state: 'completed', result: 'done' });
  });

  it('works each job exactly once when two portal instances share the database', async () => {
    const other = await createJobQueue({ pollingIntervalSeconds: 0.5 });
    try {
      const workedBy = new Map<string, string[]>();
      const instancesSeen = () => new Set([...workedBy.values()].flat());
      // The same job as each portal instance would declare it, saying which instance ran it.
      const countOnce = (instance: string) =>
        defineJob({
          name: 'test.count-once',
          payload: z.object({ index: z.number().int() }),
          handle: async (_payload, { jobId }) => {
            workedBy.set(jobId, [...(workedBy.get(jobId) ?? []), instance]);
            // Hold the first jobs until both instances have one, so that both really take part.
            await waitUntil('both instances to work', () => (instancesSeen().size === 2 ? true : undefined));
          },
          options: { concurrency: 3 },
        });
      const job = countOnce('first');
      await Promise.all([startJobWorkers([job], { queue }), startJobWorkers([countOnce('second')], { queue: other })]);

      const ids = await Promise.all(
        Array.from({ length: 40 }, (_, index) => enqueueJob(job, { index }, { queue: index % 2 ? other : queue })),
      );
      for (const id of ids) expect((await waitForJob(job, id!, { queue })).state).toBe('completed');

      expect([...workedBy.keys()].sort()).toEqual([...ids].sort());
      expect([...workedBy.values()].filter((instances) => instances.length !== 1)).toEqual([]);
      expect([...instancesSeen()].sort()).toEqual(['first', 'second']);
    } finally {
      await other.stop();
    }
  });

  it('works a backlog without waiting for the polling interval between jobs, each job once', async () => {
    const worked: number[] = [];
    const quick = defineJob({
      name: 'test.backlog',
      payload: z.object({ index: z.number().int() }),
      handle: async ({ index }) => {
        worked.push(index);
      },
    });
    const slow = await createJobQueue({ pollingIntervalSeconds: 30 });
    try {
      // Sent before any worker looks: only looking again at once after each job gets through them.
      await enqueueJobs(quick, Array.from({ length: 30 }, (_, index) => ({ payload: { index } })), { queue: slow });
      await startJobWorkers([quick], { queue: slow });
      await waitUntil('the backlog to be worked', () => (worked.length === 30 ? true : undefined), { timeoutMs: 20_000 });
      expect([...worked].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, index) => index));
    } finally {
      await slow.stop();
    }
  });

  it('sends many jobs at once, skipping the ids already sent', async () => {
    const batch = defineJob({ name: 'test.batch', payload: z.object({ n: z.number().int() }), handle: async () => undefined });
    const ids = Array.from({ length: 3 }, () => crypto.randomUUID());
    await enqueueJobs(batch, ids.map((id, n) => ({ id, payload: { n } })), { queue });
    await enqueueJobs(batch, ids.map((id, n) => ({ id, payload: { n: n + 10 } })), { queue });
    const sent = await db.select({ id: jobs.id, data: jobs.data }).from(jobs).where(eq(jobs.name, batch.name));
    expect(sent.map((job) => job.id).sort()).toEqual([...ids].sort());
    expect(sent.map((job) => (job.data as { n: number }).n).sort()).toEqual([0, 1, 2]);
  });

  it('never lets two instances hold more slots of a name than its limit, and frees every slot given back', async () => {
    const other = await createJobQueue({ pollingIntervalSeconds: 0.5 });
    try {
      const name = `test.slots.${crypto.randomUUID()}`;
      const limit = 5;
      let held = 0;
      let mostAtOnce = 0;
      const heldBy = new Map<JobQueue, number>();
      const holdFor = async (instance: JobQueue, count: number) => {
        const slots = await instance.slots.take({ name, limit, count });
        held += slots.count;
        mostAtOnce = Math.max(mostAtOnce, held);
        heldBy.set(instance, (heldBy.get(instance) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
        held -= slots.count;
        await slots.release();
      };
      await Promise.all(Array.from({ length: 60 }, (_, index) => holdFor(index % 2 ? other : queue, 1 + (index % 3 === 0 ? 1 : 0))));

      expect(mostAtOnce).toBeLessThanOrEqual(limit);
      expect(heldBy.get(queue)).toBe(30);
      expect(heldBy.get(other)).toBe(30);
      // A test needing more than the limit takes all of it; that it gets it shows none was left held.
      const all = await other.slots.take({ name, limit, count: limit + 2 });
      expect(all.count).toBe(limit);
      await all.release();
    } finally {
      await other.stop();
    }
  });

  it('retries at once, with its checkpoint, a resumable job whose instance stopped while running it', async () => {
    const stopped = await createJobQueue({ pollingIntervalSeconds: 0.5 });
    const held = gate();
    const attempts: { attempt: number; checkpoint: unknown }[] = [];
    const resumable = defineJob({
      name: 'test.resumable',
      payload: z.object({ steps: z.number().int() }),
      handle: async ({ steps }, { attempt, checkpoint, saveCheckpoint }) => {
        attempts.push({ attempt, checkpoint });
        if (attempt === 1) {
          await saveCheckpoint({ done: 1 });
          await held.opened;
        }
        return { steps, resumedFrom: checkpoint };
      },
      options: { resumable: true, retryLimit: 1 },
    });
    try {
      await startJobWorkers([resumable], { queue: stopped });
      const id = await enqueueJob(resumable, { steps: 3 }, { queue: stopped });
      await waitUntil('the first attempt to save its checkpoint', async () => {
        const [row] = await db.select({ output: jobs.output }).from(jobs).where(and(eq(jobs.name, resumable.name), eq(jobs.id, id!)));
        return (row?.output as { checkpoint?: unknown } | null)?.checkpoint ? true : undefined;
      });
      // The instance stops without finishing: its workers end, its presence goes. On PGlite, where
      // the process is the instance, as a process before this one would have left it.
      await stopped.boss.offWork(resumable.name);
      if (stopped.presence.session) await stopped.presence.stop();
      else await db.update(jobs).set({ output: sql`${jobs.output} || '{"instance": 1}'::jsonb` }).where(and(eq(jobs.name, resumable.name), eq(jobs.id, id!)));

      await startJobWorkers([resumable], { queue });
      const finished = await waitForJob(resumable, id!, { queue, timeoutMs: 20_000 });

      expect(finished).toMatchObject({ state: 'completed', retryCount: 1, result: { steps: 3, resumedFrom: { done: 1 } } });
      expect(attempts).toEqual([
        { attempt: 1, checkpoint: null },
        { attempt: 2, checkpoint: { done: 1 } },
      ]);
    } finally {
      held.open();
      await stopped.stop();
    }
  });
});
