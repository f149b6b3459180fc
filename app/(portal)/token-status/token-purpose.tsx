import { useTranslations } from 'next-intl';
import type { TokenPurpose } from '@/lib/tokens/token-status';

/**
 * What a mailbox's token is for: "Microsoft Graph (graph.microsoft.com)", "IMAP and SMTP
 * (outlook.office.com)", "Gmail API" (Google's one token serves every protocol, so it names no resource).
 */
export function TokenPurposeText({ purpose, lead = false }: { purpose: TokenPurpose; lead?: boolean }) {
  const t = useTranslations('tokenStatus.purpose');
  const tProtocols = useTranslations('profiles.protocols');
  const { incoming, outgoing } = purpose.protocols;
  const protocols = incoming === outgoing ? tProtocols(incoming) : t('pair', { incoming: tProtocols(incoming), outgoing: tProtocols(outgoing) });
  const text = purpose.resource ? t('withResource', { protocols, resource: new URL(purpose.resource).host }) : protocols;
  return lead ? t('for', { purpose: text }) : text;
}
