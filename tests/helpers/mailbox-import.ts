import { expect } from 'vitest';
import * as importJobRoute from '@/app/api/v1/mailboxes/import/[jobId]/route';
import * as importRoute from '@/app/api/v1/mailboxes/import/route';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { importMailboxesJob } from '@/lib/mailboxes/import-job';
import { callRoute } from './api';
import { waitUntil } from './wait-until';

/** Works this process's import jobs, as a started portal does; the test setup stops them with the database. */
export const workImportJobs = () => startJobWorkers([importMailboxesJob]);

export const readImport = (jobId: string, key: string, headers?: Record<string, string>) =>
  callRoute(importJobRoute.GET, { path: `/api/v1/mailboxes/import/${jobId}`, key, params: { jobId }, headers });

/**
 * Posts a CSV import (or preview) to the API and answers the job's status once it has finished:
 * state, progress, every row's result and their count.
 */
export async function importThroughApi(csv: string, { key, dryRun = false, headers }: { key: string; dryRun?: boolean; headers?: Record<string, string> }) {
  const posted = await callRoute(importRoute.POST, { method: 'POST', path: '/api/v1/mailboxes/import', key, body: { csv, dryRun }, headers });
  expect(posted.status, posted.text).toBe(202);
  const jobId: string = posted.json.jobId;
  return waitUntil('the import to finish', async () => {
    const { status, json } = await readImport(jobId, key, headers);
    expect(status).toBe(200);
    return ['completed', 'failed', 'cancelled'].includes(json.state) ? json : undefined;
  });
}
