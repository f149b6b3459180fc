import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getOutboxMessage } from '@/lib/outbox/get-outbox-message';

export const GET = apiRoute(endpoints.getOutboxMessage, ({ request, user, params }) =>
  getOutboxMessage({ viewer: user, mailboxId: params.id, messageId: params.messageId, reader: apiLocale(request) }),
);
