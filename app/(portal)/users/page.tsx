import type { Metadata } from 'next';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Card, PageHeader, Table } from '@/app/_components/ui';
import { ApiKeyTable } from '../account/api-key-table';
import { requireRole } from '@/lib/auth/session';
import { findApiKeys } from '@/lib/auth/api-keys';
import { findUsers } from '@/lib/users/users';
import { CreateUserForm, UserActions } from './user-forms';
import { pageCursor } from '@/lib/validations/common';

export const metadata: Metadata = { title: 'Users' };


export default async function UsersPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const viewer = await requireRole('admin');
  const { after } = await searchParams;
  const [{ users, nextCursor }, { keys }] = await Promise.all([findUsers({ limit: 50, cursor: pageCursor(after) }), findApiKeys({ limit: 200 })]);
  return (
    <>
      <PageHeader
        title="Users"
        description="Admins configure Mailroom, mailbox owners connect and test their own mailboxes, support staff watch every mailbox’s health."
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <div>
          <Table headers={['User', 'Role', 'Status', 'Last sign-in', 'Actions']}>
            {users.map((user) => (
              <tr key={user.id}>
                <td className="px-4 py-3">
                  <p className="font-medium">{user.email}</p>
                  {user.name ? <p className="text-xs text-slate-500">{user.name}</p> : null}
                </td>
                <td className="px-4 py-3">{user.role}</td>
                <td className="px-4 py-3">
                  {user.deactivatedAt ? <StatusBadge tone="failure">Deactivated</StatusBadge> : <StatusBadge tone="success">Active</StatusBadge>}
                </td>
                <td className="px-4 py-3 text-slate-600">{user.lastSignInAt ? <Time value={user.lastSignInAt} /> : 'Never'}</td>
                <td className="px-4 py-3">
                  <UserActions
                    user={{ id: user.id, email: user.email, role: user.role, active: user.deactivatedAt === null, hasPassword: user.passwordHash !== null }}
                    isSelf={user.id === viewer.id}
                  />
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/users?after=${encodeURIComponent(nextCursor)}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              Next page
            </a>
          ) : null}
        </div>
        <Card title="Add a user">
          <CreateUserForm />
        </Card>
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">API keys</h2>
      <ApiKeyTable keys={keys} showUser />
    </>
  );
}
