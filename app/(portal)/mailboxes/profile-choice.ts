import type { getTranslations } from 'next-intl/server';

type MailboxesTranslator = Awaited<ReturnType<typeof getTranslations<'mailboxes'>>>;

/** How a profile reads in a picker, in the viewer's language: its name, whether it is the default, and its room. */
export function profileChoiceLabel(
  t: MailboxesTranslator,
  profile: { name: string; isDefault: boolean; mailboxCount: number; mailboxCap: number | null },
): string {
  const label = profile.isDefault ? t('profileChoice.default', { name: profile.name }) : profile.name;
  if (profile.mailboxCap === null) return label;
  if (profile.mailboxCount >= profile.mailboxCap) return t('profileChoice.full', { label });
  return t('profileChoice.room', { label, count: profile.mailboxCount, cap: profile.mailboxCap });
}
