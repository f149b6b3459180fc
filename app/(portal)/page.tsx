import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AlertList } from '@/app/_components/alert-list';
import { Card, EmptyState, PageHeader } from '@/app/_components/ui';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { requireUser } from '@/lib/auth/session';
import { countMailboxes } from '@/lib/mailboxes/mailboxes';
import { countProfiles } from '@/lib/profiles/profiles';
import { countUsers } from '@/lib/users/users';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const user = await requireUser();
  if (user.role === 'owner') redirect('/mailboxes');
  const [profiles, mailboxes, people, alerts] = await Promise.all([
    countProfiles(),
    countMailboxes({ viewer: user }),
    countUsers(),
    findAlerts(),
  ]);
  const figures = [
    { label: 'Server profiles', value: profiles, href: '/profiles' },
    { label: 'Mailboxes', value: mailboxes, href: '/mailboxes' },
    { label: 'Users', value: people, href: user.role === 'admin' ? '/users' : undefined },
  ];
  return (
    <>
      <PageHeader title="Overview" description="Where your organization’s mailboxes stand." />
      <AlertList alerts={alerts} />
      <div className="mb-8 grid gap-4 sm:grid-cols-3">
        {figures.map((figure) => (
          <Card key={figure.label}>
            <p className="text-sm text-slate-600">{figure.label}</p>
            <p className="mt-1 text-3xl font-semibold">
              {figure.href ? <Link href={figure.href}>{figure.value}</Link> : figure.value}
            </p>
          </Card>
        ))}
      </div>
      {profiles === 0 ? (
        <EmptyState
          title="Start with a server profile"
          action={user.role === 'admin' ? { href: '/profiles', label: 'Go to server profiles' } : undefined}
        >
          A server profile says how Mailroom reaches mail: Gmail, Microsoft 365 or your own IMAP/POP and SMTP server.
          {user.role === 'admin' ? ' Create one, then add mailboxes to it.' : ' An admin creates the first one.'}
        </EmptyState>
      ) : mailboxes === 0 ? (
        <EmptyState title="No mailboxes yet" action={{ href: '/mailboxes', label: 'Go to mailboxes' }}>
          Add your team’s mailboxes to a profile; each owner then connects and tests their own.
        </EmptyState>
      ) : null}
    </>
  );
}
