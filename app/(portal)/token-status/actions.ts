'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { Tone } from '@/app/_components/status-badge';
import { formAction } from '@/lib/auth/form-action';
import { AppError } from '@/lib/errors';
import { createReconnectLink, describeReconnectDelivery } from '@/lib/oauth/reconnect-links';
import { testMailbox } from '@/lib/tester/test-mailbox';
import type { GrantCheckResult } from '@/lib/tokens/check-grants';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { id } from '@/lib/validations/common';

// What support staff may do, and nothing more: test, check the grant, send the owner a link.
const mailboxForm = z.object({ mailboxId: id });
const CHECK_TONES = { valid: 'success', temporary: 'warning', needs_reconnect: 'failure', profile_refused: 'failure' } as const satisfies Record<GrantCheckResult, Tone>;
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
  const { result, message } = await checkMailboxGrant({ viewer: user, mailboxId });
  revalidatePath(timeline(mailboxId));
  // A refused grant is an answer, not an error of the action, but it is shown as the bad news it is.
  return { message, data: { tone: CHECK_TONES[result] } };
});

export const sendReconnectLinkAction = formAction(
  { roles: ['admin', 'support'], schema: mailboxForm },
  async ({ mailboxId }, user) => {
    const link = await createReconnectLink({ viewer: user, mailboxId });
    revalidatePath(timeline(mailboxId));
    const tone: Tone = link.delivery.sent ? 'success' : link.delivery.sender ? 'failure' : 'warning';
    return { message: describeReconnectDelivery(link), data: { url: link.url, tone } };
  },
);
