import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, Card, PageHeader, Table } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { FINISHED_JOB_STATES } from '@/lib/jobs/get-job-status';
import { getBulkTest, type BulkTestStatus } from '@/lib/tester/bulk-tests';
import { isId } from '@/lib/validations/common';
import { RefreshWhileRunning } from './refresh-while-running';

export async function generateMetadata() {
  return { title: (await getTranslations('mailboxes'))('bulk.metaTitle') };
}

type Result = NonNullable<BulkTestStatus['results']>[number];

function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total === 0 ? 100 : Math.round((done / total) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      className="h-3 w-full overflow-hidden rounded-full bg-slate-100"
    >
      <div className="h-full bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
    </div>
  );
}

type BulkTranslator = Awaited<ReturnType<typeof getTranslations<'mailboxes.bulk'>>>;

function Outcome({ result, t }: { result: Result; t: BulkTranslator }) {
  if (result.activated) return <StatusBadge tone="success">{t('outcomes.activated')}</StatusBadge>;
  if (result.ok) return <StatusBadge tone="warning">{t('outcomes.passed')}</StatusBadge>;
  return <StatusBadge tone="failure">{result.testId ? t('outcomes.failed') : t('outcomes.notTested')}</StatusBadge>;
}

export default async function BulkTestPage({ params }: { params: Promise<{ jobId: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { jobId } = await params;
  const status = isId(jobId) ? await getBulkTest({ viewer, jobId, locale: await getLocale() }) : null;
  if (!status) notFound();
  const t = await getTranslations('mailboxes.bulk');
  const finished = FINISHED_JOB_STATES.has(status.state);
  const results = status.results ?? [];
  // Those that need someone first, each group in address order.
  const ordered = [...results.filter((result) => !result.activated), ...results.filter((result) => result.activated)];
  const activated = results.filter((result) => result.activated).length;

  return (
    <>
      <RefreshWhileRunning running={!finished} />
      <PageHeader
        title={t('title')}
        description={
          <>
            {t('started')} <Time value={status.createdAt} />
          </>
        }
      />
      <div className="max-w-5xl space-y-6">
        <Card>
          {status.state === 'created' ? (
            <p className="text-sm text-slate-600">{t('waiting')}</p>
          ) : status.state === 'failed' || status.state === 'cancelled' ? (
            <Alert tone="failure">{t('stopped', { reason: status.error ?? status.state })}</Alert>
          ) : status.state === 'completed' ? (
            <p className="text-sm" role="status">
              {t('completed', { tested: results.length, activated, attention: results.length - activated })}
            </p>
          ) : status.progress ? (
            <div className="space-y-2" role="status">
              <ProgressBar done={status.progress.done} total={status.progress.total} label={t('progressLabel')} />
              <p className="text-sm text-slate-600">
                {t('progress', { done: status.progress.done, total: status.progress.total })}
                {status.progress.message ? ` (${status.progress.message})` : ''}
              </p>
            </div>
          ) : (
            <p className="text-sm text-slate-600">{t('starting')}</p>
          )}
        </Card>
        {results.length > 0 ? (
          <Table headers={[t('columns.address'), t('columns.outcome'), t('columns.failing'), t('columns.what')]}>
            {ordered.map((result) => (
              <tr key={result.mailboxId}>
                <td className="px-4 py-3 font-medium">
                  <Link href={`/mailboxes/${result.mailboxId}`} className="hover:underline">
                    {result.address}
                  </Link>
                </td>
                <td className="px-4 py-3">
                  <Outcome result={result} t={t} />
                </td>
                <td className="px-4 py-3">{result.failing.join(', ')}</td>
                <td className="px-4 py-3 text-slate-600">
                  {result.message}
                  {result.hint ? <span className="mt-1 block text-slate-500">{result.hint}</span> : null}
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
      </div>
    </>
  );
}
