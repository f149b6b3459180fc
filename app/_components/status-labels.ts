import type { useTranslations } from 'next-intl';
import { nextStep, type MailboxProfile, type NextStep } from '@/lib/mailboxes/status';
import { nextStepMessage } from '@/lib/mailboxes/status-messages';

/** `useTranslations('status')` or `await getTranslations('status')`: pages translate where they render. */
export type StatusTranslator = ReturnType<typeof useTranslations<'status'>>;

/**
 * A mailbox's next step with its label in the viewer's language (messages `status.nextStep.*`);
 * lib/mailboxes/status.ts decides the step, and keeps its English label for the API.
 */
export function translatedNextStep(
  t: StatusTranslator,
  mailbox: Parameters<typeof nextStep>[0],
  profile: MailboxProfile,
): NextStep {
  const step = nextStep(mailbox, profile);
  const message = nextStepMessage(step, profile);
  if (message.key !== 'connect' && message.key !== 'reconnect') return { ...step, label: t(`nextStep.${message.key}`) };
  const action = t(`connect.${message.connect}`);
  // "Reconnect: connect to Gmail": the action reads on inside the sentence.
  const label = t(`nextStep.${message.key}`, { action: message.key === 'reconnect' ? action.charAt(0).toLowerCase() + action.slice(1) : action });
  return { ...step, label };
}
