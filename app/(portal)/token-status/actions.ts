'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { formAction } from '@/lib/auth/form-action';
import type { ActionState } from '@/lib/auth/form-action-state';
import { createReconnectLink, describeReconnectDelivery } from '@/lib/oauth/reconnect-links';
import { testMailbox } from '@/lib/tester/test-mailbox';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { id } from '@/lib/validations/common';

// What support staff may do, and nothing more: test, check the grant, send the owner a link.
const mailboxForm = z.object({ mailboxId: id });
const timeline = (mailboxId: string) => `/mailboxes/${mailboxId}/timeline`;

const runTestForm = formAction({ roles: ['admin', 'support'], schema: mailboxForm }, async ({ mailboxId }, user) => {
  const result = await testMailbox({ viewer: user, mailboxId, sendTestMessage: false });
  revalidatePath(timeline(mailboxId));
  const error = result.incoming.error ?? result.outgoing.error;
  return { message: result.ok ? 'The test passed.' : `The test failed: ${error ? `${error.message} ${error.hint}` : 'see its steps below.'}` };
});

const checkNowForm = formAction({ roles: ['admin', 'support'], schema: mailboxForm }, async ({ mailboxId }, user) => {
  const { message } = await checkMailboxGrant({ viewer: user, mailboxId });
  revalidatePath(timeline(mailboxId));
  return { message };
});

const reconnectLinkForm = formAction(
  { roles: ['admin', 'support'], schema: mailboxForm },
  async ({ mailboxId }, user) => {
    const link = await createReconnectLink({ viewer: user, mailboxId });
    revalidatePath(timeline(mailboxId));
    return { message: describeReconnectDelivery(link), data: { url: link.url } };
  },
);

export async function runTestAction(previous: ActionState, formData: FormData) {
  return runTestForm(previous, formData);
}

export async function checkNowAction(previous: ActionState, formData: FormData) {
  return checkNowForm(previous, formData);
}

export async function sendReconnectLinkAction(previous: ActionState<{ url: string | null }>, formData: FormData) {
  return reconnectLinkForm(previous, formData);
}
