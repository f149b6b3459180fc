import type { Metadata } from 'next';
import { Badge, EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { requireUser } from '@/lib/auth/session';
import { findMailboxes } from '@/lib/mailboxes/mailboxes';

export const metadata: Metadata = { title: 'Mailboxes' };

export default async function MailboxesPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const viewer = await requireUser();
  const { after } = await searchParams;
  const { mailboxes, nextCursor } = await findMailboxes({ viewer, limit: 50, cursor: after });
  const isOwner = viewer.role === 'owner';
  return (
    <>
      <PageHeader
        title={isOwner ? 'My mailboxes' : 'Mailboxes'}
        description={
          isOwner
            ? 'The mailboxes an admin attached for you, and the next step for each.'
            : 'Every mailbox Mailroom serves, with its approval, connection and status.'
        }
      />
      {mailboxes.length === 0 ? (
        <EmptyState title={isOwner ? 'No mailbox for you yet' : 'No mailboxes yet'}>
          {isOwner
            ? 'An admin attaches your mailbox to a server profile; it will appear here, ready to connect.'
            : 'Mailboxes are added to a server profile; each owner then connects and tests their own.'}
        </EmptyState>
      ) : (
        <>
          <Table headers={isOwner ? ['Address', 'Approval', 'Connection', 'Status'] : ['Address', 'Owner', 'Profile', 'Approval', 'Connection', 'Status']}>
            {mailboxes.map((mailbox) => (
              <tr key={mailbox.id}>
                <td className="px-4 py-3 font-medium">{mailbox.address}</td>
                {isOwner ? null : <td className="px-4 py-3">{mailbox.ownerEmail}</td>}
                {isOwner ? null : <td className="px-4 py-3">{mailbox.profileName}</td>}
                <td className="px-4 py-3">{mailbox.approval}</td>
                <td className="px-4 py-3">{mailbox.connection.replace('_', ' ')}</td>
                <td className="px-4 py-3">
                  <Badge tone={mailbox.status === 'active' ? 'good' : mailbox.status === 'failing' ? 'bad' : 'neutral'}>
                    {mailbox.status}
                  </Badge>
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/mailboxes?after=${encodeURIComponent(nextCursor)}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              Next page
            </a>
          ) : null}
        </>
      )}
    </>
  );
}
