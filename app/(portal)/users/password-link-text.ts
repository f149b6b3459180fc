import { phrase, phraseMoment, type Phrase } from '@/lib/i18n/text';
import type { PasswordLinkDelivery } from '@/lib/users/password-links';

/** What the admin who sent a link reads: where it went, or that they hand it over themselves. */
export function describePasswordLink({
  email,
  purpose,
  link,
}: {
  email: string | Phrase;
  purpose: 'invitation' | 'reset';
  link: PasswordLinkDelivery;
}): Phrase {
  const until = phraseMoment(new Date(link.expiresAt));
  if (link.reason === null) return phrase(purpose === 'invitation' ? 'problems.users.results.invitationMailed' : 'problems.users.results.resetMailed', { email, until });
  return phrase(purpose === 'invitation' ? 'problems.users.results.invitationNotMailed' : 'problems.users.results.resetNotMailed', { email, until, reason: link.reason });
}
