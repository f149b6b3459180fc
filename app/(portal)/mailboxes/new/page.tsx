import { getTranslations } from 'next-intl/server';
import { EmptyState, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { profileChoiceLabel } from '../profile-choice';
import { MailboxForm } from '../mailbox-form';

export async function generateMetadata() {
  return { title: (await getTranslations('mailboxes'))('new.title') };
}

export default async function NewMailboxPage() {
  await requireRole('admin');
  const [profiles, t] = await Promise.all([listProfileChoices(), getTranslations('mailboxes')]);
  return (
    <>
      <PageHeader title={t('new.title')} description={t('new.description')} />
      {profiles.length === 0 ? (
        <EmptyState title={t('new.noProfile')} action={{ href: '/profiles', label: t('new.goToProfiles') }}>
          {t('new.noProfileHint')}
        </EmptyState>
      ) : (
        <MailboxForm profiles={profiles.map((profile) => ({ id: profile.id, label: profileChoiceLabel(t, profile), isDefault: profile.isDefault }))} />
      )}
    </>
  );
}
