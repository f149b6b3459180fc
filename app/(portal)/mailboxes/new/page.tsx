import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { profileChoiceLabel } from '../profile-choice';
import { MailboxForm } from '../mailbox-form';

export const metadata: Metadata = { title: 'Add a mailbox' };

export default async function NewMailboxPage() {
  await requireRole('admin');
  const profiles = await listProfileChoices();
  return (
    <>
      <PageHeader title="Add a mailbox" description="Attach a person’s mailbox to a server profile. They connect it themselves next." />
      {profiles.length === 0 ? (
        <EmptyState title="Create a server profile first" action={{ href: '/profiles', label: 'Go to server profiles' }}>
          Every mailbox belongs to a profile that says how its mail is reached.
        </EmptyState>
      ) : (
        <MailboxForm profiles={profiles.map((profile) => ({ id: profile.id, label: profileChoiceLabel(profile), isDefault: profile.isDefault }))} />
      )}
    </>
  );
}
