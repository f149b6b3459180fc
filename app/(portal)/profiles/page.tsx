import type { Metadata } from 'next';
import { EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { findProfiles } from '@/lib/profiles/profiles';

export const metadata: Metadata = { title: 'Server profiles' };

const SERVER_TYPES = { gmail: 'Gmail', microsoft365: 'Microsoft 365', custom: 'Custom' } as const;

export default async function ProfilesPage() {
  const viewer = await requireRole('admin', 'support');
  const { profiles } = await findProfiles({ limit: 200 });
  return (
    <>
      <PageHeader
        title="Server profiles"
        description="How mailboxes reach their mail: the server type, how people sign in, and the OAuth app."
      />
      {profiles.length === 0 ? (
        <EmptyState title="No server profile yet">
          {viewer.role === 'admin'
            ? 'Create a profile for Gmail, Microsoft 365 or your own IMAP/POP and SMTP server; every mailbox belongs to one.'
            : 'An admin creates server profiles; they will be listed here.'}
        </EmptyState>
      ) : (
        <Table headers={['Name', 'Server', 'Sign-in', 'Mailboxes']}>
          {profiles.map((profile) => (
            <tr key={profile.id}>
              <td className="px-4 py-3 font-medium">
                {profile.name}
                {profile.isDefault ? <span className="ml-2 text-xs text-slate-500">(default)</span> : null}
              </td>
              <td className="px-4 py-3">{SERVER_TYPES[profile.serverType]}</td>
              <td className="px-4 py-3">{profile.authType}</td>
              <td className="px-4 py-3">
                {profile.mailboxCount}
                {profile.mailboxCap === null ? '' : ` / ${profile.mailboxCap}`}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
