import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { userActor } from '@/lib/audit/actor';
import { getNotificationSettings, setNotificationSender } from '@/lib/settings/notification-sender';

export const GET = apiRoute(endpoints.getSettings, () => getNotificationSettings());

export const PATCH = apiRoute(endpoints.updateSettings, ({ user, body }) =>
  setNotificationSender({ actor: userActor(user), choice: body.notificationMailboxId ? { mailboxId: body.notificationMailboxId } : null }),
);
