'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { formAction } from '@/lib/auth/form-action';
import { db } from '@/db';
import { AppError, notFound } from '@/lib/errors';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { createReconnectLink, describeReconnectDelivery } from '@/lib/oauth/reconnect-links';
import { testMailbox } from '@/lib/tester/test-mailbox';
import { checkGrant } from '@/lib/tokens/check-grants';
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
  const mailbox = await getMailbox({ viewer: user, id: mailboxId });
  if (!mailbox) throw notFound('The mailbox');
  if (mailbox.connection !== 'connected') throw new AppError('CONFLICT', 'This mailbox has no working grant to check: its owner connects it first.');
  let result: Awaited<ReturnType<typeof checkGrant>>;
  try {
    // The same check the background job runs, proving the grant with a refresh now.
    result = await checkGrant({ mailboxId, prove: true });
  } catch (error) {
    if (error instanceof OAuthFailure) throw new AppError('UPSTREAM', error.message, { hint: error.hint });
    throw error;
  }
  await recordAuditEvent(db, {
    actor: userActor(user),
    action: 'mailbox.check',
    target: { type: 'mailbox', id: mailboxId },
    mailboxId,
    profileId: mailbox.profileId,
    detail: { result },
  });
  revalidatePath(timeline(mailboxId));
  const messages = {
    valid: 'The grant works: the access token was refreshed.',
    needs_reconnect: 'The provider refused the grant: the mailbox needs a reconnect by its owner.',
    profile_refused: 'The provider refused the profile’s client: an admin fixes the profile.',
    temporary: 'The provider could not be reached: try again in a moment.',
  } as const;
  return { message: messages[result] };
});

export const sendReconnectLinkAction = formAction(
  { roles: ['admin', 'support'], schema: mailboxForm },
  async ({ mailboxId }, user) => {
    const link = await createReconnectLink({ viewer: user, mailboxId });
    revalidatePath(timeline(mailboxId));
    return { message: describeReconnectDelivery(link), data: { url: link.url } };
  },
);
