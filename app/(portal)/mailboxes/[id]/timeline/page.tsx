import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { AlertList } from '@/app/_components/alert-list';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, Card, PageHeader } from '@/app/_components/ui';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { findMailboxTimeline, type TimelineKind } from '@/lib/audit/find-mailbox-timeline';
import { requireRole } from '@/lib/auth/session';
import { getTokenStatusRow } from '@/lib/tokens/find-token-statuses';
import { TOKEN_STATE_LABELS, TOKEN_STATE_TONES } from '@/lib/tokens/token-status';
import { isId } from '@/lib/validations/common';
import { ageOf } from '../../../token-status/format';
import { TestVerdict } from '../../../token-status/test-verdict';
import { SupportActions } from '../../../token-status/support-actions';

export const metadata: Metadata = { title: 'Mailbox timeline' };

const KIND_TONES: Record<TimelineKind, 'neutral' | 'good' | 'bad' | 'warn'> = {
  connect: 'good',
  refresh: 'neutral',
  failure: 'bad',
  test: 'good',
  approval: 'neutral',
  move: 'warn',
  support: 'neutral',
  change: 'neutral',
};

export default async function MailboxTimelinePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { id } = await params;
  const status = isId(id) ? await getTokenStatusRow({ viewer, mailboxId: id }) : null;
  if (!status) notFound();
  const [alerts, entries] = await Promise.all([findMailboxAlerts({ viewer, mailboxId: status.mailboxId }), findMailboxTimeline({ status })]);
  const facts: [string, ReactNode][] = [
    ['Owner', status.ownerEmail],
    ['Server profile', status.profileName],
    ['Connection', status.connection.replace('_', ' ')],
    ['Status', status.status],
    ['Account', status.account ?? '—'],
    ['Scopes', status.scopes.join(' ') || '—'],
    ['Missing scopes', status.missingScopes.join(' ') || 'none'],
    ['Access token expires', <Time key="accessTokenExpiresAt" value={status.accessTokenExpiresAt} />],
    ['Last refresh', <Time key="lastRefreshAt" value={status.lastRefreshAt} />],
    ['Refresh token age', ageOf(status.refreshTokenObtainedAt)],
    ['Consent', <Time key="consentedAt" value={status.consentedAt} />],
    ['Consent ends', status.consentExpiresAt ? <Time key="consentExpiresAt" value={status.consentExpiresAt} /> : 'does not end'],
    ['Last check', <Time key="lastCheckedAt" value={status.lastCheckedAt} />],
    ['Last test', <TestVerdict key="lastTest" test={status.lastTest} />],
  ];
  return (
    <>
      <PageHeader
        title={status.address}
        description={
          <>
            Token status and history. <Link href={`/mailboxes/${status.mailboxId}`} className="text-indigo-700 underline">Open the mailbox</Link>
          </>
        }
      />
      <AlertList alerts={alerts} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card title="Token">
          <p data-testid="token-state">
            <StatusBadge tone={toneOf(TOKEN_STATE_TONES[status.state])}>{TOKEN_STATE_LABELS[status.state]}</StatusBadge>
          </p>
          <dl className="mt-4 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            {facts.map(([term, value]) => (
              <div key={term} className="min-w-0">
                <dt className="text-slate-600">{term}</dt>
                <dd className="font-medium [overflow-wrap:anywhere]">{value}</dd>
              </div>
            ))}
          </dl>
          {status.lastError ? (
            <div className="mt-4">
              <Alert tone="failure">
                <p className="font-medium">{status.lastError.message}</p>
                <p className="mt-1" data-testid="hint">
                  {status.lastError.hint}
                </p>
                <p className="mt-1 text-xs">
                  {status.lastError.code} at <Time value={status.lastError.at} />
                </p>
              </Alert>
            </div>
          ) : null}
        </Card>
        <SupportActions mailboxId={status.mailboxId} connected={status.connection === 'connected'} />
      </div>
      <Card title="Timeline, newest first" className="mt-6">
        {entries.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing recorded yet.</p>
        ) : (
          <ol className="space-y-3 text-sm" data-testid="timeline">
            {entries.map((entry, index) => (
              <li key={`${entry.at}-${index}`} className="min-w-0 border-l-2 border-slate-200 pl-4 [overflow-wrap:anywhere]">
                <p>
                  <span className="mr-2 text-slate-500"><Time value={entry.at} /></span>
                  <StatusBadge tone={toneOf(KIND_TONES[entry.kind])}>{entry.kind}</StatusBadge> <span className="font-medium">{entry.title}</span>
                  {entry.actor ? <span className="text-slate-500"> · {entry.actor}</span> : null}
                </p>
                {entry.detail ? <p className="mt-1 text-slate-600">{entry.detail}</p> : null}
                {entry.hint ? <p className="mt-1 text-slate-600">{entry.hint}</p> : null}
                {entry.test ? (
                  <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                    {(['incoming', 'outgoing'] as const).flatMap((direction) =>
                      entry.test![direction].steps.map((step, stepIndex) => (
                        <li key={`${direction}-${stepIndex}`}>
                          {step.ok ? '✓' : '✗'} {direction}: {step.name} ({step.durationMs} ms){step.detail ? ` — ${step.detail}` : ''}
                        </li>
                      )),
                    )}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}
