'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { Tone } from '@/app/_components/status-badge';
import { formAction } from '@/lib/auth/form-action';
import { AppError, type Problem } from '@/lib/errors';
import { hasMessage, phrase, type Text } from '@/lib/i18n/text';
import { createReconnectLink, describeReconnectDelivery } from '@/lib/oauth/reconnect-links';
import { testMailbox } from '@/lib/tester/test-mailbox';
import type { GrantCheckResult } from '@/lib/tokens/check-grants';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { id } from '@/lib/validations/common';

// What support staff may do, and nothing more: test, check the grant, send the owner a link.
const mailboxForm = z.object({ mailboxId: id });
const CHECK_TONES = { valid: 'success', temporary: 'warning', needs_reconnect: 'failure', profile_refused: 'failure' } as const satisfies Record<GrantCheckResult, Tone>;
const timeline = (mailboxId: string) => `/mailboxes/${mailboxId}/timeline`;

/** A part of a test's problem as a sentence inside another, in the reader's language when it has a key. */
const partOf = (problem: Problem, part: 'message' | 'hint'): Text =>
  problem.key && hasMessage(`${problem.key}.${part}`) ? { key: `${problem.key}.${part}`, ...(problem.values ? { values: problem.values } : {}) } : (problem[part] ?? '');

export const runTestAction = formAction({ roles: ['admin', 'support'], schema: mailboxForm }, async ({ mailboxId }, user) => {
  const result = await testMailbox({ viewer: user, mailboxId, sendTestMessage: false });
  revalidatePath(timeline(mailboxId));
  if (result.ok) return { message: phrase('tokenStatus.supportActions.results.testPassed') };
  const error = result.incoming.error ?? result.outgoing.error;
  // The mail server said no: what it said, and what to do next, as its own line.
  const reason = error ? partOf(error, 'message') : phrase('tokenStatus.supportActions.results.seeSteps');
  throw new AppError('UPSTREAM', phrase('tokenStatus.supportActions.results.testFailed', { reason, hint: error ? partOf(error, 'hint') : '' }));
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
