import { getTranslations } from 'next-intl/server';
import { PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { ImportForm } from './import-form';

export async function generateMetadata() {
  return { title: (await getTranslations('mailboxes'))('import.title') };
}

export default async function ImportMailboxesPage() {
  await requireRole('admin');
  const t = await getTranslations('mailboxes.import');
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
      />
      <ImportForm />
    </>
  );
}
