import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { CopyButton } from '@/app/_components/copy-button';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, buttonClass, Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { countMailboxesToReconnect } from '@/lib/oauth/reconnect-links';
import { getProfileById, toProfileResponse } from '@/lib/profiles/profiles';
import { getApiSwitchOffer } from '@/lib/profiles/switch-profile-protocol';
import { PROVIDERS } from '@/lib/providers';
import { isId } from '@/lib/validations/common';
import { MailboxUsage } from '../mailbox-usage';
import { ApiSwitch } from './api-switch';
import { DeleteProfile } from './delete-profile';
import { ReconnectLinks } from './reconnect-links';
import { ProfileSendersCard } from './profile-senders-card';
import { TestAllMailboxes } from './test-all-mailboxes';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('profiles.detail'))('title') };
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[14rem_1fr]">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="break-all text-sm">{children}</dd>
    </div>
  );
}


function hasPassed(iso: string | null): boolean {
  return iso !== null && Date.parse(iso) < Date.now();
}

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { id } = await params;
  const stored = isId(id) ? await getProfileById({ id }) : null;
  if (!stored) notFound();
  const profile = toProfileResponse(stored);
  const { apiProtocol } = PROVIDERS[profile.serverType];
  const [t, tProfiles, tProviders, apiSwitchOffer, toReconnect] = await Promise.all([
    getTranslations('profiles.detail'),
    getTranslations('profiles'),
    getTranslations('providers'),
    getApiSwitchOffer({ profile: stored }),
    countMailboxesToReconnect({ profileId: profile.id }),
  ]);
  const serverTypeLabel = tProviders(`${profile.serverType}.label`);
  const authTypeLabel = tProfiles(`authTypes.${profile.authType}`);
  const security = (value: 'tls' | 'starttls' | 'none') => tProfiles(`security.${value}`);
  const orNone = (value: string | null) => value ?? <span className="text-slate-500">{t('values.none')}</span>;
  const yesNo = (value: boolean) => (value ? t('values.yes') : t('values.no'));
  const oauth = profile.authType !== 'password';
  const secretExpired = hasPassed(profile.clientSecretExpiresAt);
  return (
    <>
      <PageHeader
        title={profile.name}
        description={`${serverTypeLabel} · ${authTypeLabel}`}
        actions={
          viewer.role === 'admin' ? (
            <Link href={`/profiles/${profile.id}/edit`} className={buttonClass('primary')}>
              {t('edit')}
            </Link>
          ) : undefined
        }
      />
      <div className="max-w-4xl space-y-6">
        {profile.publishingStatus === 'testing' ? (
          <Alert tone="warning">{t('testingApp')}</Alert>
        ) : null}
        {oauth && !profile.publicClient && !profile.clientSecretSet ? (
          <Alert tone="failure">{t('secretNotSet')}</Alert>
        ) : null}
        {secretExpired ? <Alert tone="failure">{t('secretExpired')}</Alert> : null}
        <Card title={t('sections.general')}>
          <dl className="divide-y divide-slate-100">
            <Row label={t('rows.serverType')}>{serverTypeLabel}</Row>
            <Row label={t('rows.authType')}>{authTypeLabel}</Row>
            <Row label={t('rows.defaultForNew')}>{profile.isDefault ? <StatusBadge tone="success">{tProfiles('default')}</StatusBadge> : t('values.no')}</Row>
            <Row label={t('rows.mailboxes')}>
              <MailboxUsage count={profile.mailboxCount} cap={profile.mailboxCap} />
            </Row>
            <Row label={t('rows.internalServer')}>{yesNo(profile.internalServer)}</Row>
            {oauth ? <Row label={t('rows.allowAccessTokens')}>{yesNo(profile.allowAccessTokens)}</Row> : null}
            <Row label={t('rows.trustedCertificates')}>
              {profile.trustedCertificates.length === 0 ? (
                <span className="text-slate-500">{t('values.noTrustedCertificates')}</span>
              ) : (
                <ul>
                  {profile.trustedCertificates.map((certificate) => (
                    <li key={`${certificate.host} ${certificate.sha256}`}>
                      {certificate.host}: <code className="text-xs">SHA-256 {certificate.sha256}</code>
                    </li>
                  ))}
                </ul>
              )}
            </Row>
          </dl>
        </Card>
        {oauth ? (
          <Card title={t('sections.oauthApp')}>
            <dl className="divide-y divide-slate-100">
              {profile.tenant ? <Row label={t('rows.tenant')}>{profile.tenant}</Row> : null}
              <Row label={t('rows.clientId')}>{orNone(profile.clientId)}</Row>
              <Row label={t('rows.clientType')}>{profile.publicClient ? t('values.publicClient') : t('values.confidentialClient')}</Row>
              {profile.publicClient ? null : (
                <Row label={t('rows.clientSecret')}>{profile.clientSecretSet ? t('values.secretSet', { hint: profile.clientSecretHint ?? '…' }) : t('values.secretNotSet')}</Row>
              )}
              {profile.publicClient || !profile.tokenEndpointAuthMethod ? null : (
                <Row label={t('rows.clientAuthentication')}>{tProfiles(`tokenEndpointAuthMethods.${profile.tokenEndpointAuthMethod}`)}</Row>
              )}
              {profile.clientSecretExpiresAt ? <Row label={t('rows.secretExpires')}><Time value={profile.clientSecretExpiresAt} format="date" /></Row> : null}
              {profile.publishingStatus ? (
                <Row label={t('rows.publishingStatus')}>{tProfiles(`publishing.${profile.publishingStatus}`)}</Row>
              ) : null}
              {profile.redirectUri ? (
                <Row label={t('rows.redirectUri')}>
                  <span className="flex flex-wrap items-center gap-2">
                    <code className="min-w-0 break-all rounded bg-slate-100 px-2 py-1 text-xs" data-testid="redirect-uri">
                      {profile.redirectUri}
                    </code>
                    <CopyButton value={profile.redirectUri} label={t('copy')} />
                  </span>
                </Row>
              ) : null}
              <Row label={t('rows.authorizationEndpoint')}>{orNone(profile.endpoints.authorization)}</Row>
              <Row label={t('rows.tokenEndpoint')}>{orNone(profile.endpoints.token)}</Row>
              {profile.endpoints.device ? <Row label={t('rows.deviceEndpoint')}>{profile.endpoints.device}</Row> : null}
              <Row label={t('rows.revocationEndpoint')}>{orNone(profile.endpoints.revocation)}</Row>
              <Row label={t('rows.userinfoEndpoint')}>{orNone(profile.endpoints.userinfo)}</Row>
              <Row label={t('rows.issuer')}>{orNone(profile.issuer)}</Row>
              <Row label={t('rows.jwksEndpoint')}>{orNone(profile.endpoints.jwks)}</Row>
              <Row label={t('rows.scopes')}>
                <ul>
                  {profile.scopes.map((scope) => (
                    <li key={scope}>
                      <code className="text-xs">{scope}</code>
                    </li>
                  ))}
                </ul>
              </Row>
            </dl>
          </Card>
        ) : null}
        <Card title={t('sections.servers')}>
          <dl className="divide-y divide-slate-100">
            {(['incoming', 'outgoing'] as const).map((side) => {
              const { protocol, host, port, security: transport } = profile[side];
              return (
                <Row key={side} label={t(`rows.${side}`, { protocol: tProfiles(`protocols.${protocol}`) })}>
                  {host !== null && port !== null && transport !== null
                    ? `${host}:${port}, ${security(transport)}`
                    : t('rows.throughApi', { api: profile.endpoints.api ?? '' })}
                </Row>
              );
            })}
          </dl>
        </Card>
        {apiProtocol && oauth ? (
          <ApiSwitch
            profile={{ id: profile.id, name: profile.name }}
            apiProtocol={apiProtocol}
            offer={
              apiSwitchOffer && {
                scopes: apiSwitchOffer.scopes,
                apiEndpoint: apiSwitchOffer.apiEndpoint,
                leaving: apiSwitchOffer.leaving,
                mailboxesToReconnect: apiSwitchOffer.mailboxesToReconnect,
                failing: apiSwitchOffer.failing,
              }
            }
            canSwitch={viewer.role === 'admin'}
          />
        ) : null}
        {toReconnect > 0 ? (
          <Card title={t('sections.reconnectLinks')}>
            <ReconnectLinks profileId={profile.id} count={toReconnect} />
          </Card>
        ) : null}
        <Card title={t('sections.emailProcessing')}>
          <dl className="divide-y divide-slate-100">
            <Row label={t('rows.processEmailFrom')}>{profile.advanced.processEmailFrom?.slice(0, 10) ?? t('values.theStart')}</Row>
            <Row label={t('rows.minPollingInterval')}>{t('values.minutes', { count: profile.advanced.minPollingIntervalMinutes })}</Row>
            <Row label={t('rows.maxConcurrentConnections')}>{profile.advanced.maxConcurrentConnections}</Row>
            <Row label={t('rows.moveFailedToUndeliverable')}>{yesNo(profile.advanced.moveFailedToUndeliverable)}</Row>
            <Row label={t('rows.connectionTimeout')}>{t('values.seconds', { count: profile.advanced.connectionTimeoutSeconds })}</Row>
            <Row label={t('rows.sendRatePerMinute')}>{t('values.perMinute', { count: profile.advanced.sendRatePerMinute })}</Row>
            <Row label={t('rows.queuedMessageExpiry')}>{t('values.hours', { count: profile.advanced.queuedMessageExpiryHours })}</Row>
          </dl>
        </Card>
        <ProfileSendersCard profileId={profile.id} />
        <Card title={t('sections.testAndActivate')}>
          <TestAllMailboxes profileId={profile.id} maxConcurrentConnections={profile.advanced.maxConcurrentConnections} />
        </Card>
        {viewer.role === 'admin' ? (
          <Card title={t('sections.delete')}>
            <DeleteProfile profile={{ id: profile.id, name: profile.name, mailboxCount: profile.mailboxCount }} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
