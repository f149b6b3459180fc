'use server';

import { z } from 'zod';
import { serverAction } from '@/lib/auth/server-action';
import { beginMailboxTest, getMailboxTest } from '@/lib/tester/test-mailbox';
import { id } from '@/lib/validations/common';

export type TestView = NonNullable<Awaited<ReturnType<typeof getMailboxTest>>>;

/** Starts a test (or joins the running one) and answers at once; the panel then follows its steps. */
export const startMailboxTestAction = serverAction(
  { roles: ['admin', 'owner', 'support'], schema: z.object({ mailboxId: id, sendTestMessage: z.boolean() }) },
  async ({ mailboxId, sendTestMessage }, viewer) => beginMailboxTest({ viewer, mailboxId, sendTestMessage }),
);
