import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { getMailbox, listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { isId } from '@/lib/validations/common';
import { MailboxForm } from '../../mailbox-form';
import { profileChoiceLabel } from '../../profile-choice';

export async function generateMetadata() {
  return { title: (await getTranslations('mailboxes'))('edit.metaTitle') };
}

export default async function EditMailboxPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireRole('admin');
  const { id } = await params;
  const mailbox = isId(id) ? await getMailbox({ viewer, id }) : null;
  if (!mailbox) notFound();
  const [profiles, t] = await Promise.all([listProfileChoices(), getTranslations('mailboxes')]);
  return (
    <>
      <PageHeader title={t('edit.title', { address: mailbox.address })} />
      <MailboxForm
        profiles={profiles.map((profile) => ({ id: profile.id, label: profileChoiceLabel(t, profile), isDefault: profile.isDefault }))}
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
