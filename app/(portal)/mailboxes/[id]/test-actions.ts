'use server';

import { requireUser } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { describeError, logger } from '@/lib/logger';
import { beginMailboxTest, getMailboxTest } from '@/lib/tester/test-mailbox';
import { isId } from '@/lib/validations/common';

export type TestView = NonNullable<Awaited<ReturnType<typeof getMailboxTest>>>;

/** Starts a test (or joins the running one) and answers at once; the panel then follows its steps. */
export async function startMailboxTestAction(input: { mailboxId: string; sendTestMessage: boolean }): Promise<{ testId: string } | { error: string }> {
  const viewer = await requireUser();
  if (!isId(input.mailboxId)) return { error: 'The mailbox was not found.' };
  try {
    const { testId } = await beginMailboxTest({ viewer, mailboxId: input.mailboxId, sendTestMessage: input.sendTestMessage === true });
    return { testId };
  } catch (error) {
    if (error instanceof AppError) return { error: error.hint ? `${error.message} ${error.hint}` : error.message };
    logger.error('starting a connection test failed', { error: describeError(error) });
    return { error: 'Something went wrong on our side. The error was logged.' };
  }
}

/** The test with the steps recorded so far (read from the database: any portal instance can answer). */
export async function readMailboxTestAction(input: { mailboxId: string; testId?: string }): Promise<TestView | null> {
  const viewer = await requireUser();
  if (!isId(input.mailboxId) || (input.testId !== undefined && !isId(input.testId))) return null;
  try {
    return await getMailboxTest({ viewer, mailboxId: input.mailboxId, testId: input.testId });
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}
