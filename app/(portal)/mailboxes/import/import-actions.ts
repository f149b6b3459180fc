'use server';

import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { serverAction } from '@/lib/auth/server-action';
import { phrase } from '@/lib/i18n/text';
import { getMailboxImport, mailboxImportNotFound, startMailboxImport } from '@/lib/mailboxes/import-mailboxes';
import { id } from '@/lib/validations/common';
import { importMailboxesSchema } from '@/lib/validations/mailboxes';

/** Queues a preview or an import of the file and answers its job at once; the form then follows it. */
export const startMailboxImportAction = formAction({ roles: ['admin'], schema: importMailboxesSchema }, async (input, user) => {
  const { jobId } = await startMailboxImport({ actor: userActor(user), ...input });
  return { message: phrase(input.dryRun ? 'mailboxes.import.started.preview' : 'mailboxes.import.started.import'), data: { jobId, dryRun: input.dryRun } };
});

/** What the import form polls: the job's progress, then every row's result (reasons as phrases, shown in the reader's language). */
export const readMailboxImportAction = serverAction({ roles: ['admin'], schema: z.object({ jobId: id }) }, async ({ jobId }) => {
  const status = await getMailboxImport({ jobId });
  if (!status) throw mailboxImportNotFound();
  return status;
});
