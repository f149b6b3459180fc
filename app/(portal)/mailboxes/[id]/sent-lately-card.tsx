import { getTranslations } from 'next-intl/server';
import { StatusBadge, type Tone } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Card, Table } from '@/app/_components/ui';
import { findSentLately, type SentLately } from '@/lib/outbox/get-outbox-message';

const STATUS_TONES: Record<SentLately['status'], Tone> = { queued: 'neutral', sending: 'neutral', sent: 'success', failed: 'failure' };

/** What business systems sent through the mailbox lately, for the people who may see its page. */
export async function SentLatelyCard({ mailboxId }: { mailboxId: string }) {
  const [t, messages] = await Promise.all([getTranslations('mailbox.sentLately'), findSentLately({ mailboxId })]);
  return (
    <Card title={t('title')}>
      <p className="mb-3 text-sm text-slate-600">{t('intro')}</p>
      {messages.length === 0 ? (
        <p className="text-sm text-slate-600">{t('empty')}</p>
      ) : (
        <Table headers={[t('to'), t('subject'), t('status'), t('time')]}>
          {messages.map((message) => (
            <tr key={message.id} data-testid="sent-message">
              <td data-label={t('to')} className="px-4 py-3 [overflow-wrap:anywhere]">
                {message.recipients.length > 1
                  ? t('moreRecipients', { first: message.recipients[0]!, count: message.recipients.length - 1 })
                  : message.recipients[0]}
              </td>
              <td data-label={t('subject')} className="px-4 py-3 [overflow-wrap:anywhere]">{message.subject}</td>
              <td data-label={t('status')} className="px-4 py-3">
                <StatusBadge tone={STATUS_TONES[message.status]}>{t(`statuses.${message.status}`)}</StatusBadge>
                {message.errorCode ? <span className="ml-2 text-xs text-slate-600">{message.errorCode}</span> : null}
                {message.attempts > 1 ? <span className="ml-2 text-xs text-slate-600">{t('attempts', { count: message.attempts })}</span> : null}
              </td>
              <td data-label={t('time')} className="px-4 py-3 text-slate-600">
                <Time value={message.createdAt} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
