import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { runMailboxImport } from './import-run';

/**
 * Imports (or previews) the mailboxes of one CSV file stored in mailbox_imports. Retried where it
 * stopped: each batch is saved with its results, so a retry, on this instance or another, goes on
 * after the last saved batch.
 */
export const importMailboxesJob = defineJob({
  name: 'mailboxes.import',
  payload: z.object({ importId: z.uuid() }),
  handle: async ({ importId }, { reportProgress }) => ({ summary: await runMailboxImport({ importId, reportProgress }) }),
  options: { retryLimit: 2, retryDelaySeconds: 5, expireInSeconds: 30 * 60 },
});

export const mailboxImportJobs = [importMailboxesJob];
