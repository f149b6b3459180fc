import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { createReconnectLink } from '@/lib/oauth/reconnect-links';

export const POST = apiRoute(endpoints.createReconnectLink, async ({ user, params }) => {
  const { ownerEmail, expiresAt, delivery, url } = await createReconnectLink({ viewer: user, mailboxId: params.id });
  return {
    ownerEmail,
    expiresAt: expiresAt.toISOString(),
    sent: delivery.sent,
    sender: delivery.sender,
    reason: delivery.sent ? null : delivery.reason,
    url,
  };
});
