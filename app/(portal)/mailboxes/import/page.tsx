import type { Metadata } from 'next';
import { PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { ImportForm } from './import-form';

export const metadata: Metadata = { title: 'Import mailboxes' };

export default async function ImportMailboxesPage() {
  await requireRole('admin');
  return (
    <>
      <PageHeader
        title="Import mailboxes"
        description="A CSV file with a header line naming the columns address, owner email and, optionally, profile (a profile name; the default profile otherwise). Preview first: nothing is saved until you import."
      />
      <ImportForm />
    </>
  );
}
