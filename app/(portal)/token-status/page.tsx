import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { countMailboxes } from '@/lib/mailboxes/mailboxes';

export const metadata: Metadata = { title: 'Token status' };

export default async function TokenStatusPage() {
  const viewer = await requireRole('admin', 'support');
  const mailboxes = await countMailboxes({ viewer });
  return (
    <>
      <PageHeader
        title="Token status"
        description="Every mailbox’s tokens and connection health: why a connection fails and what fixes it. Tokens themselves are never shown."
      />
      <EmptyState title={mailboxes === 0 ? 'No mailboxes yet' : 'No connected mailbox yet'}>
        {mailboxes === 0
          ? 'Once mailboxes are added and their owners connect them, their token health appears here.'
          : 'Mailbox owners connect their mailboxes from “My mailboxes”; their token health then appears here.'}
      </EmptyState>
    </>
  );
}
