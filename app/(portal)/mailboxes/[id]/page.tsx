import Link from 'next/link';
import { getLocale, getTimeZone, getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { AlertList } from '@/app/_components/alert-list';
import { APPROVAL_TONES, CONNECTION_TONES, STATUS_TONES, TEST_TONES } from '@/app/_components/mailbox-tones';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { translatedNextStep } from '@/app/_components/status-labels';
import { Time } from '@/app/_components/time';
import { Alert, buttonClass, Card, PageHeader } from '@/app/_components/ui';
import { renderAlert } from '@/lib/alerts/alert';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { withoutRepeatedSentences } from '@/lib/alerts/repeated-sentences';
import { requireUser } from '@/lib/auth/session';
import { renderText } from '@/lib/i18n/text';
import { getPasswordSetAt } from '@/lib/mailboxes/get-password-set-at';
import { getMailbox, profileOf } from '@/lib/mailboxes/mailboxes';
import { connectionShown, statusReasonFor } from '@/lib/mailboxes/status';
import { connectMessageKey } from '@/lib/mailboxes/status-messages';
import { getProfileById } from '@/lib/profiles/profiles';
import { apiSwitchOf, FAILURES_ENDED_BY_API_SWITCH, type FailureEndedByApiSwitch } from '@/lib/profiles/switch-profile-protocol';
import { getConnectOutcome } from '@/lib/connect/get-connect-outcome';
import { getRecentDeviceSignIn } from '@/lib/connect/get-connect-state';
import { isId } from '@/lib/validations/common';
import { ConnectPanel } from './connect-panel';
import { toDeviceSignInView } from './device-sign-in-view';
import { MailboxAdminActions } from './mailbox-admin-actions';
import { SentLatelyCard } from './sent-lately-card';
import { TestAndActivatePanel } from './test-and-activate-panel';

export async function generateMetadata() {
  return { title: (await getTranslations('mailbox'))('metaTitle') };
}

const isEndedByApiSwitch = (code: string | undefined): code is FailureEndedByApiSwitch =>
  (FAILURES_ENDED_BY_API_SWITCH as readonly (string | undefined)[]).includes(code);

export default async function MailboxPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ connect?: string }>;
}) {
  const viewer = await requireUser();
  const [{ id }, { connect }] = await Promise.all([params, searchParams]);
  // Another owner's mailbox is not found, exactly like one that does not exist.
  const mailbox = isId(id) ? await getMailbox({ viewer, id }) : null;
  if (!mailbox) notFound();
  const profile = profileOf(mailbox);
  const reason = statusReasonFor({ mailbox, profile, audience: viewer.role === 'owner' ? 'owner' : 'staff' });
  const canConnect = viewer.role === 'admin' || viewer.id === mailbox.ownerId;
  // Its last test found SMTP AUTH or IMAP off: the profile's move to the provider's web API gets past that.
  const failedCode = mailbox.status === 'failing' ? mailbox.statusReason?.code : undefined;
  const [locale, timeZone, t, tm, tDates, outcome, alerts, recentDeviceSignIn, passwordSetAt, switchable] = await Promise.all([
    getLocale(),
    getTimeZone(),
    getTranslations('status'),
    getTranslations('mailbox'),
    getTranslations('dates'),
    connect ? getConnectOutcome({ mailboxId: mailbox.id, reference: connect }) : null,
    findMailboxAlerts({ viewer, mailboxId: mailbox.id }),
    canConnect && mailbox.profileAuthType === 'oauth2_device'
      ? getRecentDeviceSignIn({ viewer, mailboxId: mailbox.id, connectedAs: mailbox.connectedAs })
      : null,
    mailbox.password !== null ? getPasswordSetAt({ mailboxId: mailbox.id }) : null,
    isEndedByApiSwitch(failedCode) ? getProfileById({ id: mailbox.profileId }) : null,
  ]);
  const apiSwitch = switchable && isEndedByApiSwitch(failedCode) ? apiSwitchOf(switchable) : null;
  const switchWords = apiSwitch && { api: apiSwitch.apiProtocol, code: failedCode!, profile: mailbox.profileName };
  const step = translatedNextStep(locale, mailbox, profile);
  const connection = connectionShown(mailbox, mailbox.grantProblem);
  // The reason in the viewer's words: alerts and the test panel leave out the sentences it already says.
  const reasonMessage = reason ? renderText(reason.message, locale) : null;
  const reasonHint = reason?.hint ? renderText(reason.hint, locale) : null;
  const facts: [term: string, value: ReactNode][] = [
    [tm('facts.owner'), mailbox.ownerEmail],
    [tm('facts.profile'), mailbox.profileName],
    [tm('facts.incoming'), t(`sync.${mailbox.incoming}`)],
    [tm('facts.outgoing'), t(`sync.${mailbox.outgoing}`)],
    [tm('facts.approval'), <StatusBadge key="approval" tone={APPROVAL_TONES[mailbox.approval]}>{t(`approval.${mailbox.approval}`)}</StatusBadge>],
    [
      tm('facts.connection'),
      <span key="connection" data-testid="connection">
        <StatusBadge tone={CONNECTION_TONES[connection]}>{t(`connection.${connection}`)}</StatusBadge>
        {mailbox.connectedAs ? ` ${t('asAccount', { account: mailbox.connectedAs })}` : null}
      </span>,
    ],
    [tm('facts.status'), <StatusBadge key="status" tone={STATUS_TONES[mailbox.status]}>{t(`mailbox.${mailbox.status}`)}</StatusBadge>],
    [tm('facts.incomingTest'), <StatusBadge key="incoming" tone={TEST_TONES[mailbox.incomingStatus]}>{t(`test.${mailbox.incomingStatus}`)}</StatusBadge>],
    [tm('facts.outgoingTest'), <StatusBadge key="outgoing" tone={TEST_TONES[mailbox.outgoingStatus]}>{t(`test.${mailbox.outgoingStatus}`)}</StatusBadge>],
    [tm('facts.lastTest'), mailbox.lastTestAt ? <Time value={mailbox.lastTestAt} /> : tDates('never')],
  ];
  return (
    <>
      <PageHeader
        title={mailbox.address}
        description={mailbox.shared ? tm('shared') : undefined}
        actions={
          viewer.role === 'owner' ? undefined : (
            <>
              <Link href={`/mailboxes/${mailbox.id}/timeline`} className={buttonClass('secondary')}>
                {tm('timelineLink')}
              </Link>
              {viewer.role === 'admin' ? (
                <Link href={`/mailboxes/${mailbox.id}/edit`} className={buttonClass('secondary')}>
                  {tm('edit')}
                </Link>
              ) : null}
            </>
          )
        }
      />
      <AlertList alerts={withoutRepeatedSentences(alerts.map((alert) => renderAlert(alert, { locale, timeZone })), [reasonMessage, reasonHint])} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card title={tm('whereItStands')}>
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            {facts.map(([term, value]) => (
              <div key={term} className="min-w-0">
                <dt className="text-slate-600">{term}</dt>
                <dd className="font-medium [overflow-wrap:anywhere]">{value}</dd>
              </div>
            ))}
          </dl>
          {reason ? (
            <div data-testid="status-reason" className="mt-4">
              <Alert tone="failure">
                <p className="font-medium">{reasonMessage}</p>
                {reasonHint ? <p className="mt-1">{reasonHint}</p> : null}
                {switchWords ? (
                  <p className="mt-2" data-testid="api-switch-offer">
                    {viewer.role === 'admin' ? (
                      <>
                        {tm('apiSwitch.forAdmin', switchWords)}{' '}
                        <Link href={`/profiles/${mailbox.profileId}#api-switch`} className="font-medium underline">
                          {tm('apiSwitch.link', switchWords)}
                        </Link>
                      </>
                    ) : (
                      tm(viewer.role === 'owner' ? 'apiSwitch.forOwner' : 'apiSwitch.forSupport', switchWords)
                    )}
                  </p>
                ) : null}
              </Alert>
            </div>
          ) : null}
        </Card>
        <div className="min-w-0 space-y-6">
          <Card title={tm('nextStep.title')}>
            <p data-testid="next-step">
              <StatusBadge tone={toneOf(step.tone)}>{step.label}</StatusBadge>
            </p>
            <p className="mt-2 text-sm text-slate-600">
              {step.actor === 'admin'
                ? viewer.role === 'admin'
                  ? tm('nextStep.adminSelf')
                  : tm('nextStep.admin')
                : step.actor === 'owner'
                  ? viewer.id === mailbox.ownerId
                    ? tm('nextStep.ownerSelf')
                    : tm('nextStep.owner', { owner: mailbox.ownerEmail })
                  : tm('nextStep.nothing')}
            </p>
          </Card>
          {canConnect && mailbox.approval !== 'rejected' && mailbox.status !== 'disabled' ? (
            <ConnectPanel
              mailboxId={mailbox.id}
              connectLabel={t(`connect.${connectMessageKey(profile)}`)}
              authType={mailbox.profileAuthType}
              connected={mailbox.connection !== 'not_connected'}
              password={mailbox.password === null ? null : { setAt: passwordSetAt?.toISOString() ?? null }}
              outcome={outcome}
              recentDeviceSignIn={recentDeviceSignIn ? toDeviceSignInView(recentDeviceSignIn) : null}
            />
          ) : null}
          {viewer.role === 'admin' ? (
            <MailboxAdminActions id={mailbox.id} approval={mailbox.approval} status={mailbox.status} address={mailbox.address} />
          ) : null}
        </div>
      </div>
      <div className="mt-6"><TestAndActivatePanel mailboxId={mailbox.id} saidElsewhere={[reasonMessage, reasonHint]} /></div>
      <div className="mt-6"><SentLatelyCard mailboxId={mailbox.id} /></div>
    </>
  );
}
