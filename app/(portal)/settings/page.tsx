import type { Metadata } from 'next';
import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { Alert, Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { renderText } from '@/lib/i18n/text';
import { getNotificationSettings } from '@/lib/settings/notification-sender';
import { NotificationSenderForm, TestNotificationForm } from './notification-forms';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('settings'))('title') };
}

export default async function SettingsPage() {
  await requireRole('admin');
  const [{ sender }, t, locale] = await Promise.all([getNotificationSettings(), getTranslations('settings'), getLocale()]);
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div className="grid gap-6 xl:grid-cols-2 [&>*]:min-w-0">
        <Card title={t('notifications.title')}>
          <p className="mb-4 text-sm text-slate-600">
            {t('notifications.intro')}
          </p>
          <div className="mb-4 space-y-2" data-testid="notification-sender">
            {sender ? (
              <>
                <p className="text-sm">
                  {t.rich('notifications.sendingFrom', {
                    address: sender.address,
                    profile: sender.profileName,
                    server: sender.outgoingServer,
                    strong: (chunks) => <strong>{chunks}</strong>,
                    link: (chunks) => (
                      <Link href={`/profiles/${sender.profileId}`} className="text-indigo-700 underline">
                        {chunks}
                      </Link>
                    ),
                  })}
                </p>
                {sender.problem ? (
                  <Alert tone="warning">
                    {t('notifications.problem', { problem: renderText(sender.problem, locale) })}{' '}
                    <Link href={`/mailboxes/${sender.mailboxId}`} className="underline">
                      {t('notifications.openMailbox')}
                    </Link>
                  </Alert>
                ) : null}
              </>
            ) : (
              <Alert tone="neutral">{t('notifications.noSender')}</Alert>
            )}
          </div>
          <NotificationSenderForm currentAddress={sender?.address ?? null} />
          {sender ? (
            <div className="mt-6 border-t border-slate-200 pt-4">
              <TestNotificationForm />
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
