import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, Card, PageHeader } from '@/app/_components/ui';
import { requireRole } from '@/lib/auth/session';
import { getNotificationSettings } from '@/lib/settings/notification-sender';
import { NotificationSenderForm, TestNotificationForm } from './notification-forms';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  await requireRole('admin');
  const { sender } = await getNotificationSettings();
  return (
    <>
      <PageHeader title="Settings" description="Choices that apply to the whole portal." />
      <div className="grid gap-6 xl:grid-cols-2 [&>*]:min-w-0">
        <Card title="Notifications">
          <p className="mb-4 text-sm text-slate-600">
            When support sends an owner a reconnect link, Mailroom mails it from this mailbox. Without one, the link is shown once to
            whoever sent it and the sending is logged.
          </p>
          <div className="mb-4 space-y-2" data-testid="notification-sender">
            {sender ? (
              <>
                <p className="text-sm">
                  Sending from <strong>{sender.address}</strong> through{' '}
                  <Link href={`/profiles/${sender.profileId}`} className="text-indigo-700 underline">
                    {sender.profileName}
                  </Link>{' '}
                  ({sender.outgoingServer}).
                </p>
                {sender.problem ? (
                  <Alert tone="warning">
                    Notifications will not go out: {sender.problem}{' '}
                    <Link href={`/mailboxes/${sender.mailboxId}`} className="underline">
                      Open the mailbox
                    </Link>
                  </Alert>
                ) : null}
              </>
            ) : (
              <Alert tone="neutral">No sender is set: notifications are logged, not mailed.</Alert>
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
