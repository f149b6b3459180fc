'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useCallback, useEffect, useState } from 'react';
import { ActionMessage, ProblemAlert } from '@/app/_components/action-message';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { useRenderText } from '@/app/_components/use-text';
import { Alert, Button, Card, EmptyState, Table, TextAreaField } from '@/app/_components/ui';
import { IDLE, type ActionError } from '@/lib/auth/form-action-state';
import type { MailboxImportStatus } from '@/lib/mailboxes/import-mailboxes';
import { readMailboxImportAction, startMailboxImportAction } from './import-actions';

const OUTCOME_TONES = { created: 'good', skipped: 'neutral', refused: 'bad' } as const;
const FINISHED_STATES: ReadonlySet<MailboxImportStatus['state']> = new Set(['completed', 'cancelled', 'failed']);
const POLL_MS = 500;

/** Follows one import job until it has finished; `onFinished` hears its last status. */
function useMailboxImport(jobId: string, onFinished: (status: MailboxImportStatus) => void) {
  const [status, setStatus] = useState<MailboxImportStatus | null>(null);
  const [problem, setProblem] = useState<ActionError | null>(null);
  useEffect(() => {
    let stopped = false;
    void (async () => {
      while (!stopped) {
        const read = await readMailboxImportAction({ jobId });
        if (stopped) return;
        if (read.status === 'error') return setProblem(read);
        setStatus(read.data);
        if (FINISHED_STATES.has(read.data.state)) return onFinished(read.data);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
    return () => {
      stopped = true;
    };
  }, [jobId, onFinished]);
  return { status, problem };
}

function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total === 0 ? 100 : Math.round((done / total) * 100);
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} className="h-3 w-full overflow-hidden rounded-full bg-slate-100">
      <div className="h-full bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** A preview's or an import's progress while it runs, then its summary and every row's result. */
function ImportJob({ jobId, onFinished }: { jobId: string; onFinished: (status: MailboxImportStatus) => void }) {
  const t = useTranslations('mailboxes.import');
  const render = useRenderText();
  const { status, problem } = useMailboxImport(jobId, onFinished);
  if (problem) return <ProblemAlert problem={problem} />;
  if (!status || !FINISHED_STATES.has(status.state)) {
    const progress = status?.progress ?? { done: 0, total: 0 };
    return (
      <Card>
        <div className="space-y-2" role="status">
          <ProgressBar done={progress.done} total={progress.total} label={t('progressLabel')} />
          <p className="text-sm text-slate-600">
            {status?.state === 'retry'
              ? t('retrying')
              : status?.state === 'active'
                ? t('progress', { dryRun: String(status.dryRun), done: progress.done, total: progress.total })
                : t('waiting')}
          </p>
        </div>
      </Card>
    );
  }
  const rows = status.rows ?? [];
  return (
    <div className="space-y-6">
      {status.error !== null ? (
        <Alert tone="failure">{render.text(status.error)}</Alert>
      ) : status.summary ? (
        <Alert tone="success">{t(status.dryRun ? 'done.preview' : 'done.imported', status.summary)}</Alert>
      ) : null}
      {rows.length === 0 ? (
        <EmptyState title={t('noRowsTitle')}>{t('noRowsBody')}</EmptyState>
      ) : (
        <Table headers={[t('columns.line'), t('columns.address'), t('columns.owner'), t('columns.profile'), status.dryRun ? t('columns.wouldBe') : t('columns.result'), t('columns.why')]}>
          {rows.map((row) => (
            <tr key={row.line}>
              <td className="px-4 py-2">{row.line}</td>
              <td className="px-4 py-2">{row.address}</td>
              <td className="px-4 py-2">{row.ownerEmail}</td>
              <td className="px-4 py-2">{row.profile ?? t('defaultProfile')}</td>
              <td className="px-4 py-2">
                <StatusBadge tone={toneOf(OUTCOME_TONES[row.outcome])}>{t(`outcomes.${row.outcome}`)}</StatusBadge>
              </td>
              <td className="px-4 py-2 text-slate-600">{row.reason === null ? null : render.text(row.reason)}</td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}

export function ImportForm() {
  const t = useTranslations('mailboxes.import');
  const [state, action, pending] = useActionState(startMailboxImportAction, IDLE);
  const [csv, setCsv] = useState('');
  // The file as its preview was asked for: Import sends it once that preview has finished, unchanged.
  const [previewing, setPreviewing] = useState<string | null>(null);
  const [previewedJob, setPreviewedJob] = useState<string | null>(null);
  const started = state.status === 'success' ? state.data : undefined;
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const previewFinished = useCallback((status: MailboxImportStatus) => {
    if (status.dryRun) setPreviewedJob(status.id);
  }, []);
  const canImport = !pending && started?.dryRun === true && previewedJob === started.jobId && previewing === csv;
  return (
    <div className="space-y-6">
      <form action={action} className="space-y-4">
        <div>
          <label htmlFor="csv-file" className="block text-sm font-medium text-slate-800">
            {t('file')}
          </label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            className="mt-1 block text-sm"
            onChange={async (event) => setCsv((await event.target.files?.[0]?.text()) ?? '')}
          />
        </div>
        <TextAreaField
          label={t('paste')}
          name="csv"
          rows={8}
          value={csv}
          onChange={(event) => setCsv(event.target.value)}
          errors={errors?.csv}
          placeholder={'address,owner email,profile\nanna@example.org,anna@example.org,Gmail'}
        />
        <div className="flex gap-2">
          <Button type="submit" name="dryRun" value="true" disabled={pending || csv.trim() === ''} onClick={() => setPreviewing(csv)}>
            {t('preview')}
          </Button>
          <Button type="submit" name="dryRun" value="false" variant="primary" disabled={!canImport}>
            {t('import')}
          </Button>
        </div>
      </form>
      <ActionMessage state={state} success="hidden" />
      {started ? (
        <ImportJob key={started.jobId} jobId={started.jobId} onFinished={previewFinished} />
      ) : state.status === 'error' ? null : (
        <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
      )}
    </div>
  );
}
