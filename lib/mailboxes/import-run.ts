import 'server-only';
import { asc, eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxImportBatches, mailboxImports } from '@/db/schema';
import type { JobProgress } from '@/lib/jobs/define-job';
import { readImportCsv } from './import-csv';
import { writeImportBatch } from './import-batch';
import { letOtherRequestsIn, planImport, type ImportOutcome, type ImportRowResult } from './import-plan';

export type ImportSummary = Record<ImportOutcome, number>;

/**
 * Rows written in one transaction. On PGlite a transaction holds the one connection, and other
 * requests wait for it: at 100 rows a batch (a few tens of ms) the import of 10,000 rows took as
 * long as at 250, with a third of the wait for the others.
 */
const BATCH_ROWS = 100;

/** The results stored so far, in file order. */
export async function readImportResults(importId: string): Promise<ImportRowResult[]> {
  const batches = await db
    .select({ rows: mailboxImportBatches.rows })
    .from(mailboxImportBatches)
    .where(eq(mailboxImportBatches.importId, importId))
    .orderBy(asc(mailboxImportBatches.firstLine));
  return batches.flatMap((batch) => batch.rows);
}

export function summarizeImport(rows: ImportRowResult[]): ImportSummary {
  const summary = { created: 0, skipped: 0, refused: 0 };
  for (const row of rows) summary[row.outcome] += 1;
  return summary;
}

/**
 * Works one import (or preview): checks every row in one pass, then writes them a batch at a time,
 * reporting progress after each. A retried job skips the batches an earlier attempt saved.
 */
export async function runMailboxImport({
  importId,
  reportProgress,
}: {
  importId: string;
  reportProgress: (progress: JobProgress) => Promise<void>;
}): Promise<ImportSummary> {
  const [started] = await db.select().from(mailboxImports).where(eq(mailboxImports.id, importId));
  if (!started) throw new Error(`Mailbox import ${importId} no longer exists`);
  const rows = readImportCsv(started.csv);
  const done = new Map((await readImportResults(importId)).map((row) => [row.line, row]));
  const pending = (await planImport({ rows, done })).filter((planned) => !done.has(planned.result.line));
  const actor = { userId: started.actorId, label: started.actorLabel };
  const results = [...done.values()];
  await reportProgress({ done: results.length, total: rows.length });
  for (let start = 0; start < pending.length; start += BATCH_ROWS) {
    const batch = pending.slice(start, start + BATCH_ROWS);
    results.push(...(await db.transaction((tx) => writeImportBatch(tx, { importId, actor, dryRun: started.dryRun, batch }))));
    await reportProgress({ done: results.length, total: rows.length });
    await letOtherRequestsIn();
  }
  return summarizeImport(results);
}
