import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { AlertList } from '@/app/_components/alert-list';
import { Card, EmptyState, PageHeader } from '@/app/_components/ui';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { requireUser } from '@/lib/auth/session';
import { countMailboxes } from '@/lib/mailboxes/mailboxes';
import { countProfiles } from '@/lib/profiles/profiles';
import { countUsers } from '@/lib/users/users';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('overview'))('title') };
}

export default async function OverviewPage() {
  const user = await requireUser();
  if (user.role === 'owner') redirect('/mailboxes');
  const [profiles, mailboxes, people, alerts, t] = await Promise.all([
    countProfiles(),
    countMailboxes({ viewer: user }),
    countUsers(),
    findAlerts(),
    getTranslations('overview'),
  ]);
  const figures = [
    { label: t('figures.profiles'), value: profiles, href: '/profiles' },
    { label: t('figures.mailboxes'), value: mailboxes, href: '/mailboxes' },
    { label: t('figures.users'), value: people, href: user.role === 'admin' ? '/users' : undefined },
  ];
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
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
          title={t('noProfiles.title')}
          action={user.role === 'admin' ? { href: '/profiles', label: t('noProfiles.action') } : undefined}
        >
          {t('noProfiles.body')}
          {user.role === 'admin' ? t('noProfiles.forAdmin') : t('noProfiles.forOthers')}
        </EmptyState>
      ) : mailboxes === 0 ? (
        <EmptyState title={t('noMailboxes.title')} action={{ href: '/mailboxes', label: t('noMailboxes.action') }}>
          {t('noMailboxes.body')}
        </EmptyState>
      ) : null}
    </>
  );
}
