import type { Metadata } from 'next';
import { Card, PageHeader } from '@/app/_components/ui';
import { findApiKeys } from '@/lib/auth/api-keys';
import { requireUser } from '@/lib/auth/session';
import { CreateOwnApiKeyForm } from './api-key-forms';
import { ApiKeyTable } from './api-key-table';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage() {
  const viewer = await requireUser();
  const { keys } = await findApiKeys({ userId: viewer.id, limit: 200 });
  return (
    <>
      <PageHeader
        title="Your API keys"
        description={`Scripts and business systems use a key to call Mailroom's API as you (${viewer.role}). A key is shown once, when it is made; revoke any key you no longer use.`}
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <ApiKeyTable keys={keys} showUser={false} />
        <Card title="New key">
          <CreateOwnApiKeyForm />
        </Card>
      </div>
    </>
  );
}
