import type { Metadata } from 'next';
import { Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { oauthRedirectUri } from '@/lib/profiles/profiles';
import { newProfileFormValues } from '../form-values';
import { ProfileForm } from '../profile-form';

export const metadata: Metadata = { title: 'New server profile' };

export default async function NewProfilePage() {
  await requireRole('admin');
  return (
    <>
      <PageHeader
        title="New server profile"
        description="Choose the server type: locations, ports, endpoints and scopes are filled in for you. For Gmail, the client id and secret of your Google OAuth client are all you enter."
      />
      <Card className="max-w-3xl">
        <ProfileForm mode="create" initial={newProfileFormValues()} secret={{ set: false, hint: null }} redirectUri={oauthRedirectUri()} />
      </Card>
    </>
  );
}
