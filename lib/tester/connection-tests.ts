import 'server-only';
import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm';
import { db } from '@/db';
import { connectionTests, connectionTestSteps, type ConnectionTest, type ConnectionTestStep, type DirectionResult } from '@/db/schema';
import { renderProblem } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';
import type { Text } from '@/lib/i18n/render';
import { renderText } from '@/lib/i18n/text';
import { renderTestWith, type RenderedTest } from './render-test';

/**
 * A step as stored: `name` is the message key of its words (an English name in rows older than that),
 * `detail` a phrase (raw text, or English in older rows) until rendered for a reader.
 */
export type TestStepResponse = { name: string; ok: boolean; durationMs: number; detail: Text; at: string };
export type DirectionResponse = DirectionResult & { steps: TestStepResponse[] };
/** A step row as the result needs it: written, or about to be. */
export type StoredStep = Pick<ConnectionTestStep, 'direction' | 'name' | 'ok' | 'durationMs' | 'detail' | 'detailWords' | 'createdAt'>;

/** The Test result shape of the API (docs: API.md), also what the mailbox page shows. */
export type ConnectionTestResult = {
  id: string;
  mailboxId: string;
  ok: boolean | null;
  activated: boolean;
  startedAt: string;
  finishedAt: string | null;
  incoming: DirectionResponse;
  outgoing: DirectionResponse;
};

/** A test (or a page of them) as the API answers it, in the language the request asks for. */
export function renderConnectionTest<T extends Pick<ConnectionTestResult, 'incoming' | 'outgoing'>>(test: T, locale: Locale): RenderedTest<T> {
  return renderTestWith(test, { text: (text, fallback) => renderText(text, locale, fallback), problem: (problem) => renderProblem(problem, locale) });
}

/** A test and its steps (in the order they were written) as the API answers it. */
export function connectionTestResultOf(test: ConnectionTest, steps: readonly StoredStep[]): ConnectionTestResult {
  const stepsOf = (direction: 'incoming' | 'outgoing') =>
    steps
      .filter((step) => step.direction === direction)
      .map((step) => ({ name: step.name, ok: step.ok, durationMs: step.durationMs, detail: step.detailWords ?? step.detail ?? '', at: step.createdAt.toISOString() }));
  return {
    id: test.id,
    mailboxId: test.mailboxId,
    ok: test.ok,
    activated: test.activated,
    startedAt: test.startedAt.toISOString(),
    finishedAt: test.finishedAt?.toISOString() ?? null,
    incoming: { ...test.incoming, steps: stepsOf('incoming') },
    outgoing: { ...test.outgoing, steps: stepsOf('outgoing') },
  };
}

async function withSteps(tests: ConnectionTest[]): Promise<ConnectionTestResult[]> {
  if (tests.length === 0) return [];
  const steps = await db
    .select()
    .from(connectionTestSteps)
    .where(inArray(connectionTestSteps.testId, tests.map((test) => test.id)))
    .orderBy(asc(connectionTestSteps.id));
  return tests.map((test) => connectionTestResultOf(test, steps.filter((step) => step.testId === test.id)));
}

/** One test of one mailbox with the steps recorded so far (any instance can serve a running test). */
export async function getConnectionTest({ mailboxId, testId }: { mailboxId: string; testId: string }): Promise<ConnectionTestResult | null> {
  const [test] = await db
    .select()
    .from(connectionTests)
    .where(and(eq(connectionTests.id, testId), eq(connectionTests.mailboxId, mailboxId)));
  return test ? ((await withSteps([test]))[0] ?? null) : null;
}

/** The newest test of a mailbox, running or not. */
export async function getLatestConnectionTest({ mailboxId }: { mailboxId: string }): Promise<ConnectionTestResult | null> {
  const [test] = await db
    .select()
    .from(connectionTests)
    .where(eq(connectionTests.mailboxId, mailboxId))
    .orderBy(desc(connectionTests.startedAt), desc(connectionTests.id))
    .limit(1);
  return test ? ((await withSteps([test]))[0] ?? null) : null;
}

function encodeCursor(test: ConnectionTest): string {
  return Buffer.from(`${test.startedAt.toISOString()}|${test.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const startedAt = new Date(at ?? '');
  return id && !Number.isNaN(startedAt.getTime()) ? { startedAt, id } : null;
}

/** A mailbox's test history, newest first, a page at a time. */
export async function findConnectionTests({
  mailboxId,
  limit,
  cursor,
}: {
  mailboxId: string;
  limit: number;
  cursor?: string;
}): Promise<{ data: ConnectionTestResult[]; nextCursor: string | null }> {
  const after = cursor ? decodeCursor(cursor) : null;
  const rows = await db
    .select()
    .from(connectionTests)
    .where(
      and(
        eq(connectionTests.mailboxId, mailboxId),
        after
          ? or(lt(connectionTests.startedAt, after.startedAt), and(eq(connectionTests.startedAt, after.startedAt), lt(connectionTests.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(connectionTests.startedAt), desc(connectionTests.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: await withSteps(page), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
}
