import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { PasswordLinkPage } from '../../_password-link/password-link-page';

// The token is in the address: it is never sent on to another site.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('passwordLink'))('invitation.metaTitle'), referrer: 'no-referrer' };
}

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <PasswordLinkPage token={token} purpose="invitation" />;
}
