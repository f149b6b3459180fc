import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { oauthRedirectUri } from '@/lib/profiles/profiles';
import { newProfileFormValues } from '../form-values';
import { ProfileForm } from '../profile-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('profiles.new'))('title') };
}

export default async function NewProfilePage() {
  await requireRole('admin');
  const t = await getTranslations('profiles.new');
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
      />
      <Card className="max-w-3xl">
        <ProfileForm mode="create" initial={newProfileFormValues()} secret={{ set: false, hint: null }} redirectUri={oauthRedirectUri()} />
      </Card>
    </>
  );
}
