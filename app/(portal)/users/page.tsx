import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Card, PageHeader, Table } from '@/app/_components/ui';
import { ApiKeyTable } from '../account/api-key-table';
import { requireRole } from '@/lib/auth/session';
import { findApiKeys } from '@/lib/auth/api-keys';
import { findUsers } from '@/lib/users/users';
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { ServiceAccountForm } from './service-forms';
import { CreateUserForm, UserActions } from './user-forms';
import { pageCursor } from '@/lib/validations/common';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('users'))('title') };
}

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const viewer = await requireRole('admin');
  const { after } = await searchParams;
  const [{ users, nextCursor }, { keys }, profileRows, t] = await Promise.all([
    findUsers({ limit: 50, cursor: pageCursor(after) }),
    findApiKeys({ limit: 200 }),
    listProfileChoices(),
    getTranslations('users'),
  ]);
  const profiles = profileRows.map(({ id, name }) => ({ id, name }));
  const profileNames = new Map(profiles.map((profile) => [profile.id, profile.name]));
  /** What a business system reaches, by name; a deleted profile's id is simply left out. */
  const reach = (profileIds: string[] | null) =>
    profileIds === null
      ? t('services.everyProfile')
      : t('services.onlyProfiles', { profiles: profileIds.flatMap((id) => profileNames.get(id) ?? []).join(', ') || '—' });
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <div>
          <Table headers={[t('columns.user'), t('columns.role'), t('columns.status'), t('columns.lastSignIn'), t('columns.actions')]}>
            {users.map((user) => (
              <tr key={user.id}>
                <td className="px-4 py-3">
                  <p className="font-medium">{user.email}</p>
                  {user.name ? <p className="text-xs text-slate-500">{user.name}</p> : null}
                </td>
                <td className="px-4 py-3">
                  {t(`roles.${user.role}`)}
                  {user.role === 'service' ? <p className="text-xs text-slate-500" data-testid="service-reach">{reach(user.profileIds)}</p> : null}
                </td>
                <td className="px-4 py-3">
                  {user.deactivatedAt ? <StatusBadge tone="failure">{t('deactivated')}</StatusBadge> : <StatusBadge tone="success">{t('active')}</StatusBadge>}
                </td>
                <td className="px-4 py-3 text-slate-600">
                  {user.role === 'service' ? t('services.apiKeysOnly') : user.lastSignInAt ? <Time value={user.lastSignInAt} /> : t('never')}
                </td>
                <td className="px-4 py-3">
                  <UserActions
                    user={{ id: user.id, email: user.email, role: user.role, active: user.deactivatedAt === null, hasPassword: user.passwordHash !== null }}
                    isSelf={user.id === viewer.id}
                    service={user.role === 'service' ? { name: user.name ?? user.email, profileIds: user.profileIds, profiles } : undefined}
                  />
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/users?after=${encodeURIComponent(nextCursor)}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              {t('nextPage')}
            </a>
          ) : null}
        </div>
        <div className="space-y-6">
          <Card title={t('add.title')}>
            <CreateUserForm />
          </Card>
          <Card title={t('services.title')}>
            <ServiceAccountForm profiles={profiles} />
          </Card>
        </div>
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">{t('apiKeys')}</h2>
      <ApiKeyTable keys={keys} showUser />
    </>
  );
}
