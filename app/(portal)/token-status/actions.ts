'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { formAction } from '@/lib/auth/form-action';
import { AppError } from '@/lib/errors';
import { createReconnectLink, describeReconnectDelivery } from '@/lib/oauth/reconnect-links';
import { testMailbox } from '@/lib/tester/test-mailbox';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { id } from '@/lib/validations/common';

// What support staff may do, and nothing more: test, check the grant, send the owner a link.
const mailboxForm = z.object({ mailboxId: id });
const timeline = (mailboxId: string) => `/mailboxes/${mailboxId}/timeline`;

export const runTestAction = formAction({ roles: ['admin', 'support'], schema: mailboxForm }, async ({ mailboxId }, user) => {
  const result = await testMailbox({ viewer: user, mailboxId, sendTestMessage: false });
  revalidatePath(timeline(mailboxId));
  if (result.ok) return { message: 'The test passed.' };
  const error = result.incoming.error ?? result.outgoing.error;
  // The mail server said no: what it said, and what to do next, as its own line.
  throw new AppError('UPSTREAM', `The test failed: ${error?.message ?? 'see its steps below.'}`, { hint: error?.hint });
});

export const checkNowAction = formAction({ roles: ['admin', 'support'], schema: mailboxForm }, async ({ mailboxId }, user) => {
  const { message } = await checkMailboxGrant({ viewer: user, mailboxId });
  revalidatePath(timeline(mailboxId));
  return { message };
});

export const sendReconnectLinkAction = formAction(
  { roles: ['admin', 'support'], schema: mailboxForm },
  async ({ mailboxId }, user) => {
    const link = await createReconnectLink({ viewer: user, mailboxId });
    revalidatePath(timeline(mailboxId));
    return { message: describeReconnectDelivery(link), data: { url: link.url } };
  },
);
