import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderText } from '@/lib/i18n/text';
import { createReconnectLink } from '@/lib/oauth/reconnect-links';

export const POST = apiRoute(endpoints.createReconnectLink, async ({ request, user, params }) => {
  const { ownerEmail, expiresAt, delivery, url } = await createReconnectLink({ viewer: user, mailboxId: params.id });
  return {
    ownerEmail,
    expiresAt: expiresAt.toISOString(),
    sent: delivery.sent,
    sender: delivery.sender,
    reason: delivery.sent ? null : renderText(delivery.reason, apiLocale(request)),
    url,
  };
});
