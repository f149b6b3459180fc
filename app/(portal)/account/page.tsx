import type { Metadata } from 'next';
import { Card, PageHeader } from '@/app/_components/ui';
import { findApiKeys } from '@/lib/auth/api-keys';
import { requireUser } from '@/lib/auth/session';
import { ChangePasswordForm, CreateOwnApiKeyForm } from './account-forms';
import { ApiKeyTable } from './api-key-table';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage() {
  const viewer = await requireUser();
  const { keys } = await findApiKeys({ userId: viewer.id, limit: 200 });
  return (
    <>
      <PageHeader title="Your account" description={`${viewer.email} · ${viewer.role}`} />
      <h2 className="mb-3 text-lg font-semibold">API keys</h2>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">
        Scripts and business systems use a key to call Mailroom’s API as you. A key is shown once, when it is made; revoke any key you
        no longer use.
      </p>
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <ApiKeyTable keys={keys} showUser={false} />
        <Card title="New key">
          <CreateOwnApiKeyForm />
        </Card>
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">Password</h2>
      <div className="max-w-md">
        {viewer.passwordHash ? (
          <Card title="Change your password">
            <ChangePasswordForm />
          </Card>
        ) : (
          <p className="text-sm text-slate-600">You sign in through single sign-on: your password is changed at your identity provider.</p>
        )}
      </div>
    </>
  );
}
