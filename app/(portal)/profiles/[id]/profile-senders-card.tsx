import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { Card, Table } from '@/app/_components/ui';
import { findProfileSenders, SENDERS_WINDOW_DAYS } from '@/lib/outbox/profile-senders';

/** The profile's mailboxes that business systems sent through this week, with how often that failed. */
export async function ProfileSendersCard({ profileId }: { profileId: string }) {
  const [t, format, senders] = await Promise.all([getTranslations('profiles.detail.senders'), getFormatter(), findProfileSenders({ profileId })]);
  return (
    <Card title={t('title')}>
      <p className="mb-3 text-sm text-slate-600">{t('intro', { days: SENDERS_WINDOW_DAYS })}</p>
      {senders.length === 0 ? (
        <p className="text-sm text-slate-600">{t('empty', { days: SENDERS_WINDOW_DAYS })}</p>
      ) : (
        <Table headers={[t('mailbox'), t('sent'), t('failed'), t('waiting'), t('failureRate')]}>
          {senders.map((sender) => (
            <tr key={sender.mailboxId} data-testid="profile-sender">
              <td data-label={t('mailbox')} className="px-4 py-3 [overflow-wrap:anywhere]">
                <Link href={`/mailboxes/${sender.mailboxId}`} className="text-indigo-700 underline">
                  {sender.address}
                </Link>
              </td>
              <td data-label={t('sent')} className="px-4 py-3">{sender.sent}</td>
              <td data-label={t('failed')} className="px-4 py-3">{sender.failed}</td>
              <td data-label={t('waiting')} className="px-4 py-3">{sender.waiting}</td>
              <td data-label={t('failureRate')} className="px-4 py-3" data-testid="failure-rate">
                {sender.failureRate === null ? t('noneEnded') : format.number(sender.failureRate, { style: 'percent', maximumFractionDigits: 1 })}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
