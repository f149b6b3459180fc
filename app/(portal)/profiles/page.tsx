import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { StatusBadge } from '@/app/_components/status-badge';
import { buttonClass, EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { findProfiles } from '@/lib/profiles/profiles';
import { MailboxUsage } from './mailbox-usage';
import { pageCursor } from '@/lib/validations/common';
import { profileListFilters } from '@/lib/validations/profiles';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('profiles'))('title') };
}

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<{ after?: string; capacity?: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const params = await searchParams;
  const { after } = params;
  const nearCap = profileListFilters.parse(params).capacity === 'near';
  const [{ profiles, nextCursor }, t, tProviders] = await Promise.all([
    findProfiles({ limit: 50, cursor: pageCursor(after), nearCap }),
    getTranslations('profiles'),
    getTranslations('providers'),
  ]);
  const newProfile = viewer.role === 'admin' ? { href: '/profiles/new', label: t('newProfile') } : undefined;
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          newProfile && profiles.length > 0 ? (
            <Link href={newProfile.href} className={buttonClass('primary')}>
              {newProfile.label}
            </Link>
          ) : undefined
        }
      />
      {nearCap ? (
        <p className="mb-4 text-sm text-slate-700">
          {t('nearCap.shown')}{' '}
          <Link href="/profiles" className="text-indigo-700 underline">
            {t('nearCap.showAll')}
          </Link>
        </p>
      ) : null}
      {profiles.length === 0 && !after && nearCap ? (
        <EmptyState title={t('nearCap.noneTitle')}>{t('nearCap.noneBody')}</EmptyState>
      ) : profiles.length === 0 && !after ? (
        <EmptyState title={t('empty.title')} action={newProfile}>
          {viewer.role === 'admin' ? t('empty.admin') : t('empty.support')}
        </EmptyState>
      ) : (
        <>
          <Table headers={[t('columns.name'), t('columns.server'), t('columns.signIn'), t('columns.mailboxes')]}>
            {profiles.map((profile) => (
              <tr key={profile.id}>
                <td data-label={t('columns.name')} className="px-4 py-3 font-medium">
                  <div className="flex min-w-0 items-center gap-2">
                    <Link href={`/profiles/${profile.id}`} title={profile.name} className="min-w-0 truncate text-indigo-700 hover:underline md:max-w-72">
                      {profile.name}
                    </Link>
                    {profile.isDefault ? <StatusBadge tone="neutral">{t('default')}</StatusBadge> : null}
                  </div>
                </td>
                <td data-label={t('columns.server')} className="px-4 py-3">
                  {tProviders(`${profile.serverType}.label`)}
                </td>
                <td data-label={t('columns.signIn')} className="px-4 py-3">
                  {t(`authTypes.${profile.authType}`)}
                </td>
                <td data-label={t('columns.mailboxes')} className="px-4 py-3">
                  <MailboxUsage count={profile.mailboxCount} cap={profile.mailboxCap} />
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/profiles?${new URLSearchParams({ ...(nearCap ? { capacity: 'near' } : {}), after: nextCursor })}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              {t('nextPage')}
            </a>
          ) : null}
        </>
      )}
    </>
  );
}
