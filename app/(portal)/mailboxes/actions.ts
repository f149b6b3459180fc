'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { applyMailboxEvent, createMailbox, decideMailboxes, deleteMailbox, moveMailboxes, updateMailbox } from '@/lib/mailboxes/mailboxes';
import { bulkTestTargetSchema } from '@/lib/tester/bulk-test-target';
import { startBulkTest } from '@/lib/tester/bulk-tests';
import { id } from '@/lib/validations/common';
import {
  bulkMailboxesSchema,
  createMailboxSchema,
  moveMailboxesSchema,
  updateMailboxSchema,
} from '@/lib/validations/mailboxes';

export const createMailboxAction = formAction({ roles: ['admin'], schema: createMailboxSchema }, async (input, user) => {
  const mailbox = await createMailbox({ actor: userActor(user), input });
  revalidatePath('/mailboxes');
  return { message: phrase('mailboxes.done.added', { address: mailbox.address }), redirectTo: `/mailboxes/${mailbox.id}` };
});

export const updateMailboxAction = formAction(
  { roles: ['admin'], schema: z.object({ id }).and(updateMailboxSchema) },
  async ({ id: mailboxId, ...input }, user) => {
    const mailbox = await updateMailbox({ actor: userActor(user), id: mailboxId, input });
    revalidatePath('/mailboxes');
    return { message: phrase('mailboxes.done.saved', { address: mailbox.address }), redirectTo: `/mailboxes/${mailbox.id}` };
  },
);

export const mailboxEventAction = formAction(
  { roles: ['admin'], schema: z.object({ id, event: z.enum(['approve', 'reject', 'disable', 'enable']) }) },
  async ({ id: mailboxId, event }, user) => {
    const mailbox = await applyMailboxEvent({ actor: userActor(user), id: mailboxId, event });
    revalidatePath(`/mailboxes/${mailboxId}`);
    return { message: phrase('mailboxes.done.event', { event, address: mailbox.address }) };
  },
);

export const deleteMailboxAction = formAction({ roles: ['admin'], schema: z.object({ id }) }, async ({ id: mailboxId }, user) => {
  await deleteMailbox({ actor: userActor(user), id: mailboxId });
  revalidatePath('/mailboxes');
  return { message: phrase('mailboxes.done.deleted'), redirectTo: '/mailboxes' };
});

export const decideMailboxesAction = formAction(
  { roles: ['admin'], schema: bulkMailboxesSchema.extend({ decision: z.enum(['approve', 'reject']) }), arrayFields: ['ids'] },
  async ({ ids, decision }, user) => {
    const { changed, unchanged } = await decideMailboxes({ actor: userActor(user), ids, decision });
    revalidatePath('/mailboxes');
    return { message: phrase('mailboxes.done.decided', { decision, changed, unchanged }) };
  },
);

export const moveMailboxesAction = formAction({ roles: ['admin'], schema: moveMailboxesSchema, arrayFields: ['ids'] }, async (input, user) => {
  const { moved, needReconnect } = await moveMailboxes({ actor: userActor(user), ...input });
  revalidatePath('/mailboxes');
  return { message: phrase('mailboxes.done.moved', { moved, needReconnect }) };
});

// Support may test (it changes nothing but the tests' outcomes); the list's other bulk actions are admin-only.
export const bulkTestMailboxesAction = formAction(
  { roles: ['admin', 'support'], schema: bulkTestTargetSchema, arrayFields: ['mailboxIds'] },
  async (target, user) => {
    const { jobId } = await startBulkTest({ viewer: user, target });
    return { message: phrase('mailboxes.done.bulkTestQueued'), redirectTo: `/mailboxes/bulk-tests/${jobId}` };
  },
);
