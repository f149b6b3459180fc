import 'server-only';
import { eq, lt, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxImports } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { AppError } from '@/lib/errors';
import { phrase, renderText, type Phrase, type Reader, type Text } from '@/lib/i18n/text';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { FINISHED_JOB_STATES, getJobStatus, type JobState } from '@/lib/jobs/get-job-status';
import { readImportCsv } from './import-csv';
import { importMailboxesJob } from './import-job';
import type { ImportRowResult } from './import-plan';
import { readImportResults, summarizeImport, type ImportSummary } from './import-run';

/** An import (or preview) as its page and the API show it. */
export type MailboxImportStatus<Row = ImportRowResult, Words = Text> = {
  id: string;
  /** `created`: queued; `retry`: an attempt stopped and the next one waits. */
  state: JobState;
  dryRun: boolean;
  /** Rows checked (preview) or written (import), of the file's rows. */
  progress: { done: number; total: number };
  /** Once finished: every row's result in file order (those written before a failure, if it failed), and their count. */
  rows: Row[] | null;
  summary: ImportSummary | null;
  error: Words | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

/** pg-boss forgets a job a week after it ends (its default): the file and results it named go a day later. */
const KEPT_DAYS = 8;

/**
 * Queues an import of the CSV rows (address, owner email, optional profile name), or with `dryRun`
 * a preview that writes nothing, and answers the job's id at once. A malformed file is refused here,
 * before anything is queued.
 */
export async function startMailboxImport({ actor, csv, dryRun }: { actor: AuditActor; csv: string; dryRun: boolean }): Promise<{ jobId: string }> {
  const rows = readImportCsv(csv);
  await db.delete(mailboxImports).where(lt(mailboxImports.createdAt, sql`now() - make_interval(days => ${KEPT_DAYS}::int)`));
  const [queued] = await db
    .insert(mailboxImports)
    .values({ dryRun, csv, rowCount: rows.length, actorId: actor.userId, actorLabel: actor.label })
    .returning({ id: mailboxImports.id });
  const jobId = await enqueueJob(importMailboxesJob, { importId: queued!.id });
  // The queue has no singleton policy, so a send is never refused; null would mean it changed under us.
  if (!jobId) throw new Error('The import job was not queued');
  await db.update(mailboxImports).set({ jobId }).where(eq(mailboxImports.id, queued!.id));
  return { jobId };
}

/** An import's state, progress and, once it has finished, its results; null if there is no such import. */
export async function getMailboxImport({ jobId }: { jobId: string }): Promise<MailboxImportStatus | null> {
  const [found] = await db
    .select({ id: mailboxImports.id, dryRun: mailboxImports.dryRun, rowCount: mailboxImports.rowCount })
    .from(mailboxImports)
    .where(eq(mailboxImports.jobId, jobId));
  const status = found ? await getJobStatus(importMailboxesJob, jobId) : null;
  if (!found || !status) return null;
  const finished = FINISHED_JOB_STATES.has(status.state);
  const rows = finished ? await readImportResults(found.id) : null;
  const done = rows?.length ?? status.progress?.done ?? 0;
  return {
    id: jobId,
    state: status.state,
    dryRun: found.dryRun,
    progress: { done, total: found.rowCount },
    rows,
    summary: rows && summarizeImport(rows),
    // The job's own error may quote the database: people read what happened and what to do instead.
    error: finished && status.state !== 'completed' ? phrase('mailboxes.import.stopped', { done, total: found.rowCount, dryRun: String(found.dryRun) }) : null,
    createdAt: status.createdOn.toISOString(),
    startedAt: status.startedOn?.toISOString() ?? null,
    finishedAt: status.completedOn?.toISOString() ?? null,
  };
}

export function mailboxImportNotFound(): AppError {
  return new AppError('NOT_FOUND', phrase('mailboxes.import.problems.notFound'));
}

/** An import's words in one reader's language, as the API answers them. */
export function renderMailboxImport(status: MailboxImportStatus, reader: Reader): MailboxImportStatus<ImportRowResult & { reason: string | null }, string> {
  const render = (text: Text) => renderText(text, reader);
  return {
    ...status,
    rows: status.rows?.map((row) => ({ ...row, reason: row.reason === null ? null : render(row.reason) })) ?? null,
    error: status.error === null ? null : render(status.error),
  };
}

/** What the admin reads once a preview or an import has finished. */
export function importSummary({ dryRun, summary }: { dryRun: boolean; summary: ImportSummary }): Phrase {
  return phrase(dryRun ? 'mailboxes.import.done.preview' : 'mailboxes.import.done.imported', summary);
}
