import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getNotificationSettings, renderNotificationSettings, setNotificationSender } from '@/lib/settings/notification-sender';

export const GET = apiRoute(endpoints.getSettings, async ({ request }) => renderNotificationSettings(await getNotificationSettings(), apiLocale(request)));

export const PATCH = apiRoute(endpoints.updateSettings, async ({ request, user, body }) =>
  renderNotificationSettings(
    await setNotificationSender({ actor: userActor(user), choice: body.notificationMailboxId ? { mailboxId: body.notificationMailboxId } : null }),
    apiLocale(request),
  ),
);
