import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { AlertList } from '@/app/_components/alert-list';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, Card, PageHeader } from '@/app/_components/ui';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { findMailboxTimeline, renderTimelineEntry, type TimelineKind } from '@/lib/audit/find-mailbox-timeline';
import { requireRole } from '@/lib/auth/session';
import { renderProblem } from '@/lib/errors';
import { getTokenStatusRow } from '@/lib/tokens/find-token-statuses';
import { getLastSystemUse } from '@/lib/tokens/system-use';
import { TOKEN_STATE_TONES } from '@/lib/tokens/token-status';
import { connectionShown } from '@/lib/mailboxes/status';
import { CONNECTION_TONES } from '@/app/_components/mailbox-tones';
import { isId } from '@/lib/validations/common';
import { AuditDetail, useActionLabel } from '../../../audit/audit-detail';
import { daysSince } from '../../../token-status/format';
import { TestVerdict } from '../../../token-status/test-verdict';
import { TokenPurposeText } from '../../../token-status/token-purpose';
import { SupportActions } from '../../../token-status/support-actions';

export async function generateMetadata() {
  return { title: (await getTranslations('mailbox'))('timeline.metaTitle') };
}

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

function ActionName({ action }: { action: string }) {
  return useActionLabel()(action);
}

export default async function MailboxTimelinePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { id } = await params;
  const status = isId(id) ? await getTokenStatusRow({ viewer, mailboxId: id }) : null;
  if (!status) notFound();
  const [locale, alerts, timeline, lastSystemUse, t, tm, tStatus, tTokens] = await Promise.all([
    getLocale(),
    findMailboxAlerts({ viewer, mailboxId: status.mailboxId }),
    findMailboxTimeline({ status }),
    getLastSystemUse(status.mailboxId),
    getTranslations('mailbox.timeline'),
    getTranslations('mailboxes.values'),
    getTranslations('status'),
    getTranslations('tokenStatus'),
  ]);
  // The grant's own state, so that the connection never reads "connected" beside a refused token.
  const connection = connectionShown(
    { connection: status.connection, statusReason: null },
    status.state === 'revoked' ? 'revoked' : status.state === 'refresh_failing' ? 'refresh_failing' : null,
  );
  const entries = timeline.map((entry) => renderTimelineEntry(entry, locale));
  const refreshTokenDays = daysSince(status.refreshTokenObtainedAt);
  const lastError = status.lastError ? { ...renderProblem(status.lastError, locale), at: status.lastError.at } : null;
  const facts: [string, ReactNode][] = [
    [t('facts.owner'), status.ownerEmail],
    [t('facts.profile'), status.profileName],
    [t('facts.connection'), <StatusBadge key="connection" tone={CONNECTION_TONES[connection]}>{tStatus(`connection.${connection}`)}</StatusBadge>],
    [t('facts.status'), tm(`status.${status.status}`)],
    [t('facts.account'), status.account ?? '—'],
    [t('facts.tokenFor'), <TokenPurposeText key="tokenFor" purpose={status} />],
    [t('facts.scopes'), status.scopes.join(' ') || '—'],
    [t('facts.missingScopes'), status.missingScopes.join(' ') || t('noScopeMissing')],
    [t('facts.accessTokenExpires'), <Time key="accessTokenExpiresAt" value={status.accessTokenExpiresAt} />],
    [t('facts.lastRefresh'), <Time key="lastRefreshAt" value={status.lastRefreshAt} />],
    [t('facts.refreshTokenAge'), refreshTokenDays === null ? '—' : refreshTokenDays === 0 ? tTokens('ageToday') : tTokens('age', { days: refreshTokenDays })],
    [t('facts.consent'), <Time key="consentedAt" value={status.consentedAt} />],
    [t('facts.consentEnds'), status.consentExpiresAt ? <Time key="consentExpiresAt" value={status.consentExpiresAt} /> : t('consentNeverEnds')],
    [t('facts.lastCheck'), <Time key="lastCheckedAt" value={status.lastCheckedAt} />],
    [t('facts.lastTest'), <TestVerdict key="lastTest" test={status.lastTest} />],
    [
      t('facts.lastSystemUse'),
      lastSystemUse ? (
        <span key="lastSystemUse" data-testid="last-system-use">
          <Time value={lastSystemUse.at} /> · {lastSystemUse.service ?? tTokens('systemUse.removed')}
        </span>
      ) : (
        tTokens('systemUse.never')
      ),
    ],
  ];
  return (
    <>
      <PageHeader
        title={status.address}
        description={
          <>
            {t('description')}{' '}
            <Link href={`/mailboxes/${status.mailboxId}`} className="text-indigo-700 underline">
              {t('open')}
            </Link>
          </>
        }
      />
      <AlertList alerts={alerts} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card title={t('token')}>
          <p data-testid="token-state">
            <StatusBadge tone={toneOf(TOKEN_STATE_TONES[status.state])}>{tTokens(`states.${status.state}`)}</StatusBadge>
          </p>
          <dl className="mt-4 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            {facts.map(([term, value]) => (
              <div key={term} className="min-w-0">
                <dt className="text-slate-600">{term}</dt>
                <dd className="font-medium [overflow-wrap:anywhere]">{value}</dd>
              </div>
            ))}
          </dl>
          {lastError ? (
            <div className="mt-4">
              <Alert tone="failure">
                <p className="font-medium">{lastError.message}</p>
                <p className="mt-1" data-testid="hint">
                  {lastError.hint}
                </p>
                <p className="mt-1 text-xs">
                  {t('errorAt', { code: lastError.code })} <Time value={lastError.at} />
                </p>
              </Alert>
            </div>
          ) : null}
        </Card>
        <SupportActions mailboxId={status.mailboxId} connected={status.connection === 'connected'} />
      </div>
      <Card title={t('history')} className="mt-6">
        {entries.length === 0 ? (
          <p className="text-sm text-slate-600">{t('empty')}</p>
        ) : (
          <ol className="space-y-3 text-sm" data-testid="timeline">
            {entries.map((entry, index) => (
              <li key={`${entry.at}-${index}`} className="min-w-0 border-l-2 border-slate-200 pl-4 [overflow-wrap:anywhere]">
                <p>
                  <span className="mr-2 text-slate-500"><Time value={entry.at} /></span>
                  <StatusBadge tone={toneOf(KIND_TONES[entry.kind])}>{t(`kinds.${entry.kind}`)}</StatusBadge> <span className="font-medium">{entry.audit ? <ActionName action={entry.audit.action} /> : entry.title}</span>
                  {entry.actor ? <span className="text-slate-500"> · {entry.actor}</span> : null}
                </p>
                {entry.audit ? (
                  Object.keys(entry.audit.detail).length > 0 ? (
                    <div className="mt-1 text-slate-600">
                      <AuditDetail detail={entry.audit.detail} />
                    </div>
                  ) : null
                ) : entry.detail ? (
                  <p className="mt-1 text-slate-600">{entry.detail}</p>
                ) : null}
                {entry.hint ? <p className="mt-1 text-slate-600">{entry.hint}</p> : null}
                {entry.test ? (
                  <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                    {(['incoming', 'outgoing'] as const).flatMap((direction) =>
                      entry.test![direction].steps.map((step, stepIndex) => (
                        <li key={`${direction}-${stepIndex}`}>
                          {step.ok ? '✓' : '✗'} {t(`directions.${direction}`)}: {step.name} ({step.durationMs} ms)
                          {/* What the step saw quotes the server's own replies: machine output, shown as such. */}
                          {step.detail ? (
                            <>
                              {' — '}
                              <samp className="whitespace-pre-wrap break-words font-mono">{step.detail}</samp>
                            </>
                          ) : null}
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
