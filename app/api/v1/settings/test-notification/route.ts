import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { sendTestNotification } from '@/lib/notifications/send-notification';

export const POST = apiRoute(endpoints.sendTestNotification, ({ user }) => sendTestNotification({ to: user.email }));
