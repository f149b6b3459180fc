import type { Metadata } from 'next';
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

export const metadata: Metadata = { title: 'Bulk test' };

type Result = NonNullable<BulkTestStatus['results']>[number];

function ProgressBar({ done, total }: { done: number; total: number }) {
  const percent = total === 0 ? 100 : Math.round((done / total) * 100);
  return (
    <div
      role="progressbar"
      aria-label="Mailboxes tested"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      className="h-3 w-full overflow-hidden rounded-full bg-slate-100"
    >
      <div className="h-full bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
    </div>
  );
}

function Outcome({ result }: { result: Result }) {
  if (result.activated) return <StatusBadge tone="success">Activated</StatusBadge>;
  if (result.ok) return <StatusBadge tone="warning">Passed, not activated</StatusBadge>;
  return <StatusBadge tone="failure">{result.testId ? 'Failed' : 'Not tested'}</StatusBadge>;
}

export default async function BulkTestPage({ params }: { params: Promise<{ jobId: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { jobId } = await params;
  const status = isId(jobId) ? await getBulkTest({ viewer, jobId }) : null;
  if (!status) notFound();
  const finished = FINISHED_JOB_STATES.has(status.state);
  const results = status.results ?? [];
  // Those that need someone first, each group in address order.
  const ordered = [...results.filter((result) => !result.activated), ...results.filter((result) => result.activated)];
  const activated = results.filter((result) => result.activated).length;

  return (
    <>
      <RefreshWhileRunning running={!finished} />
      <PageHeader title="Test and activate" description={<>Started <Time value={status.createdAt} /></>} />
      <div className="max-w-5xl space-y-6">
        <Card>
          {status.state === 'created' ? (
            <p className="text-sm text-slate-600">Waiting: another bulk test is running, and one runs at a time.</p>
          ) : status.state === 'failed' || status.state === 'cancelled' ? (
            <Alert tone="failure">The bulk test stopped: {status.error ?? status.state}. Mailboxes tested before it stopped keep their results.</Alert>
          ) : status.state === 'completed' ? (
            <p className="text-sm" role="status">
              {results.length} tested: {activated} activated, {results.length - activated} need attention.
            </p>
          ) : status.progress ? (
            <div className="space-y-2" role="status">
              <ProgressBar done={status.progress.done} total={status.progress.total} />
              <p className="text-sm text-slate-600">
                {status.progress.done} of {status.progress.total} tested{status.progress.message ? ` (${status.progress.message})` : ''}
              </p>
            </div>
          ) : (
            <p className="text-sm text-slate-600">Starting…</p>
          )}
        </Card>
        {results.length > 0 ? (
          <Table headers={['Address', 'Outcome', 'Failing', 'What happened']}>
            {ordered.map((result) => (
              <tr key={result.mailboxId}>
                <td className="px-4 py-3 font-medium">
                  <Link href={`/mailboxes/${result.mailboxId}`} className="hover:underline">
                    {result.address}
                  </Link>
                </td>
                <td className="px-4 py-3">
                  <Outcome result={result} />
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
