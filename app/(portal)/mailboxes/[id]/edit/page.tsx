import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { getMailbox, listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { isId } from '@/lib/validations/common';
import { MailboxForm } from '../../mailbox-form';
import { profileChoiceLabel } from '../../profile-choice';

export const metadata: Metadata = { title: 'Edit mailbox' };

export default async function EditMailboxPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin');
  const { id } = await params;
  const mailbox = isId(id) ? await getMailbox({ viewer, id }) : null;
  if (!mailbox) notFound();
  const profiles = await listProfileChoices();
  return (
    <>
      <PageHeader title={`Edit ${mailbox.address}`} />
      <MailboxForm
        profiles={profiles.map((profile) => ({ id: profile.id, label: profileChoiceLabel(profile), isDefault: profile.isDefault }))}
        existing={{
          id: mailbox.id,
          address: mailbox.address,
          ownerEmail: mailbox.ownerEmail,
          profileId: mailbox.profileId,
          incoming: mailbox.incoming,
          outgoing: mailbox.outgoing,
          shared: mailbox.shared,
          connected: mailbox.connection !== 'not_connected',
        }}
      />
    </>
  );
}
