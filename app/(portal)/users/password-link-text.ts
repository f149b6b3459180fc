import type { PasswordLinkResponse } from '@/lib/validations/users';

const utcMinute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** What the admin who sent a link reads: where it went, or that they hand it over themselves. */
export function describePasswordLink({
  email,
  purpose,
  link,
}: {
  email: string;
  purpose: 'invitation' | 'reset';
  link: PasswordLinkResponse;
}): string {
  const until = utcMinute(link.expiresAt);
  if (purpose === 'invitation') {
    return link.mailed
      ? `The invitation was mailed to ${email}. It works once, until ${until}.`
      : `The invitation was not mailed: ${link.reason}. Give ${email} the link below yourself: it is shown only now, and works once, until ${until}.`;
  }
  return link.mailed
    ? `The password reset link was mailed to ${email}. It works once, until ${until}.`
    : `The password reset link was not mailed: ${link.reason}. Give ${email} the link below yourself: it is shown only now, and works once, until ${until}.`;
}
