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
