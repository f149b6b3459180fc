import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { CopyButton } from '@/app/_components/copy-button';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, buttonClass, Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { AUTH_TYPE_LABELS, SERVER_TYPE_LABELS, TOKEN_ENDPOINT_AUTH_METHOD_LABELS } from '@/lib/profiles/presets';
import { getProfileById, toProfileResponse } from '@/lib/profiles/profiles';
import { isId } from '@/lib/validations/common';
import { MailboxUsage } from '../mailbox-usage';
import { DeleteProfile } from './delete-profile';
import { TestAllMailboxes } from './test-all-mailboxes';

export const metadata: Metadata = { title: 'Server profile' };

const SECURITY = { tls: 'TLS', starttls: 'STARTTLS', none: 'no encryption' } as const;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[14rem_1fr]">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="break-all text-sm">{children}</dd>
    </div>
  );
}

const orNone = (value: string | null) => value ?? <span className="text-slate-500">none</span>;
const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

function hasPassed(iso: string | null): boolean {
  return iso !== null && Date.parse(iso) < Date.now();
}

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { id } = await params;
  const stored = isId(id) ? await getProfileById({ id }) : null;
  if (!stored) notFound();
  const profile = toProfileResponse(stored);
  const oauth = profile.authType !== 'password';
  const secretExpired = hasPassed(profile.clientSecretExpiresAt);
  return (
    <>
      <PageHeader
        title={profile.name}
        description={`${SERVER_TYPE_LABELS[profile.serverType]} · ${AUTH_TYPE_LABELS[profile.authType]}`}
        actions={
          viewer.role === 'admin' ? (
            <Link href={`/profiles/${profile.id}/edit`} className={buttonClass('primary')}>
              Edit
            </Link>
          ) : undefined
        }
      />
      <div className="max-w-4xl space-y-6">
        {profile.publishingStatus === 'testing' ? (
          <Alert tone="warning">
            The Google app is in Testing: its refresh tokens expire after 7 days, so mailboxes must reconnect every week.
            Publish the app to production in the Google Cloud console, then set the publishing status here.
          </Alert>
        ) : null}
        {oauth && !profile.publicClient && !profile.clientSecretSet ? (
          <Alert tone="failure">The client secret is not set: mailboxes cannot connect until an admin enters it.</Alert>
        ) : null}
        {secretExpired ? <Alert tone="failure">The client secret expired: create a new one at the provider and enter it here.</Alert> : null}
        <Card title="General">
          <dl className="divide-y divide-slate-100">
            <Row label="Server type">{SERVER_TYPE_LABELS[profile.serverType]}</Row>
            <Row label="Authentication type">{AUTH_TYPE_LABELS[profile.authType]}</Row>
            <Row label="Default for new mailboxes">{profile.isDefault ? <StatusBadge tone="success">Default</StatusBadge> : 'No'}</Row>
            <Row label="Mailboxes">
              <MailboxUsage count={profile.mailboxCount} cap={profile.mailboxCap} />
            </Row>
            <Row label="Internal server">{yesNo(profile.internalServer)}</Row>
            <Row label="Trusted certificates">
              {profile.trustedCertificates.length === 0 ? (
                <span className="text-slate-500">none: only certificates an authority vouches for</span>
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
          <Card title="OAuth app">
            <dl className="divide-y divide-slate-100">
              {profile.tenant ? <Row label="Tenant">{profile.tenant}</Row> : null}
              <Row label="Client id">{orNone(profile.clientId)}</Row>
              <Row label="Client type">{profile.publicClient ? 'Public (no secret)' : 'Confidential'}</Row>
              {profile.publicClient ? null : (
                <Row label="Client secret">{profile.clientSecretSet ? `Set, ends in ${profile.clientSecretHint ?? '…'}` : 'Not set'}</Row>
              )}
              {profile.publicClient || !profile.tokenEndpointAuthMethod ? null : (
                <Row label="Client authentication">{TOKEN_ENDPOINT_AUTH_METHOD_LABELS[profile.tokenEndpointAuthMethod]}</Row>
              )}
              {profile.clientSecretExpiresAt ? <Row label="Secret expires"><Time value={profile.clientSecretExpiresAt} format="date" /></Row> : null}
              {profile.publishingStatus ? (
                <Row label="Publishing status">{profile.publishingStatus === 'testing' ? 'Testing' : 'In production'}</Row>
              ) : null}
              {profile.redirectUri ? (
                <Row label="Redirect URI to register">
                  <span className="flex flex-wrap items-center gap-2">
                    <code className="min-w-0 break-all rounded bg-slate-100 px-2 py-1 text-xs" data-testid="redirect-uri">
                      {profile.redirectUri}
                    </code>
                    <CopyButton value={profile.redirectUri} />
                  </span>
                </Row>
              ) : null}
              <Row label="Authorization endpoint">{orNone(profile.endpoints.authorization)}</Row>
              <Row label="Token endpoint">{orNone(profile.endpoints.token)}</Row>
              {profile.endpoints.device ? <Row label="Device endpoint">{profile.endpoints.device}</Row> : null}
              <Row label="Revocation endpoint">{orNone(profile.endpoints.revocation)}</Row>
              <Row label="User info endpoint">{orNone(profile.endpoints.userinfo)}</Row>
              <Row label="Issuer">{orNone(profile.issuer)}</Row>
              <Row label="JWKS endpoint">{orNone(profile.endpoints.jwks)}</Row>
              <Row label="Scopes">
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
        <Card title="Servers">
          <dl className="divide-y divide-slate-100">
            <Row label={`Incoming (${profile.incoming.protocol === 'pop3' ? 'POP3' : 'IMAP'})`}>
              {profile.incoming.host}:{profile.incoming.port}, {SECURITY[profile.incoming.security]}
            </Row>
            <Row label="Outgoing (SMTP)">
              {profile.outgoing.host}:{profile.outgoing.port}, {SECURITY[profile.outgoing.security]}
            </Row>
          </dl>
        </Card>
        <Card title="Email processing">
          <dl className="divide-y divide-slate-100">
            <Row label="Process email from">{profile.advanced.processEmailFrom?.slice(0, 10) ?? 'The start'}</Row>
            <Row label="Minimum polling interval">{profile.advanced.minPollingIntervalMinutes} minutes</Row>
            <Row label="Maximum concurrent connections">{profile.advanced.maxConcurrentConnections}</Row>
            <Row label="Move failed emails to Undeliverable">{yesNo(profile.advanced.moveFailedToUndeliverable)}</Row>
            <Row label="Connection timeout">{profile.advanced.connectionTimeoutSeconds} seconds</Row>
          </dl>
        </Card>
        <Card title="Test and activate">
          <TestAllMailboxes profileId={profile.id} maxConcurrentConnections={profile.advanced.maxConcurrentConnections} />
        </Card>
        {viewer.role === 'admin' ? (
          <Card title="Delete">
            <DeleteProfile profile={{ id: profile.id, name: profile.name, mailboxCount: profile.mailboxCount }} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
