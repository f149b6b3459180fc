import type { Metadata } from 'next';
import { PasswordLinkPage } from '../../_password-link/password-link-page';

// The token is in the address: it is never sent on to another site.
export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

export default async function ResetPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <PasswordLinkPage token={token} purpose="reset" />;
}
