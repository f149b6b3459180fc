import type { Locale } from '@/lib/i18n/locales';
import { renderText } from '@/lib/i18n/text';
import { nextStep, type MailboxProfile, type NextStep } from '@/lib/mailboxes/status';

/** A next step as a page shows it: the status machine's decision, its label in the viewer's language. */
export type ShownNextStep = Omit<NextStep, 'label'> & { label: string };

/** A mailbox's next step with its label in the viewer's language (`getLocale()` on a server page). */
export function translatedNextStep(locale: Locale, mailbox: Parameters<typeof nextStep>[0], profile: MailboxProfile): ShownNextStep {
  const step = nextStep(mailbox, profile);
  return { ...step, label: renderText(step.label, locale) };
}
