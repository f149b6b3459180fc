import type { Metadata } from 'next';
import Link from 'next/link';
import { StatusBadge } from '@/app/_components/status-badge';
import { buttonClass, EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { AUTH_TYPE_LABELS, SERVER_TYPE_LABELS } from '@/lib/profiles/presets';
import { findProfiles } from '@/lib/profiles/profiles';
import { MailboxUsage } from './mailbox-usage';
import { pageCursor } from '@/lib/validations/common';

export const metadata: Metadata = { title: 'Server profiles' };

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const viewer = await requireRole('admin', 'support');
  const { after } = await searchParams;
  const { profiles, nextCursor } = await findProfiles({ limit: 50, cursor: pageCursor(after) });
  const newProfile = viewer.role === 'admin' ? { href: '/profiles/new', label: 'New profile' } : undefined;
  return (
    <>
      <PageHeader
        title="Server profiles"
        description="How mailboxes reach their mail: the server type, how people sign in, and the OAuth app."
        actions={
          newProfile && profiles.length > 0 ? (
            <Link href={newProfile.href} className={buttonClass('primary')}>
              {newProfile.label}
            </Link>
          ) : undefined
        }
      />
      {profiles.length === 0 && !after ? (
        <EmptyState title="No server profile yet" action={newProfile}>
          {viewer.role === 'admin'
            ? 'Create a profile for Gmail, Microsoft 365 or your own IMAP/POP and SMTP server; every mailbox belongs to one.'
            : 'An admin creates server profiles; they will be listed here.'}
        </EmptyState>
      ) : (
        <>
          <Table headers={['Name', 'Server', 'Sign-in', 'Mailboxes']}>
            {profiles.map((profile) => (
              <tr key={profile.id}>
                <td data-label="Name" className="px-4 py-3 font-medium">
                  <div className="flex min-w-0 items-center gap-2">
                    <Link href={`/profiles/${profile.id}`} title={profile.name} className="min-w-0 truncate text-indigo-700 hover:underline md:max-w-72">
                      {profile.name}
                    </Link>
                    {profile.isDefault ? <StatusBadge tone="neutral">Default</StatusBadge> : null}
                  </div>
                </td>
                <td data-label="Server" className="px-4 py-3">
                  {SERVER_TYPE_LABELS[profile.serverType]}
                </td>
                <td data-label="Sign-in" className="px-4 py-3">
                  {AUTH_TYPE_LABELS[profile.authType]}
                </td>
                <td data-label="Mailboxes" className="px-4 py-3">
                  <MailboxUsage count={profile.mailboxCount} cap={profile.mailboxCap} />
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/profiles?after=${encodeURIComponent(nextCursor)}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              Next page
            </a>
          ) : null}
        </>
      )}
    </>
  );
}
