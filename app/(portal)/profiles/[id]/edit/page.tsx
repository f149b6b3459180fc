import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { countProfileGrants, getProfileById, oauthRedirectUri, toProfileResponse } from '@/lib/profiles/profiles';
import { isId } from '@/lib/validations/common';
import { profileFormValues } from '../../form-values';
import { ProfileForm } from '../../profile-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('profiles.edit'))('metaTitle') };
}

export default async function EditProfilePage({ params }: { params: Promise<{ id: string }> }) {
  await requireRole('admin');
  const { id } = await params;
  const stored = isId(id) ? await getProfileById({ id }) : null;
  if (!stored) notFound();
  // Only the response shape reaches the browser: it has no secret.
  const profile = toProfileResponse(stored);
  const t = await getTranslations('profiles.edit');
  return (
    <>
      <PageHeader title={t('title', { name: profile.name })} />
      <Card className="max-w-3xl">
        <ProfileForm
          mode="edit"
          profileId={profile.id}
          initial={profileFormValues(profile)}
          secret={{ set: profile.clientSecretSet, hint: profile.clientSecretHint }}
          redirectUri={oauthRedirectUri()}
          connectedMailboxes={await countProfileGrants({ profileId: profile.id })}
        />
      </Card>
    </>
  );
}
