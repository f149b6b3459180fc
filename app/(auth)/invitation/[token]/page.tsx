import type { Metadata } from 'next';
import { PasswordLinkPage } from '../../_password-link/password-link-page';

// The token is in the address: it is never sent on to another site.
export const metadata: Metadata = { title: 'Your invitation', referrer: 'no-referrer' };

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <PasswordLinkPage token={token} purpose="invitation" />;
}
