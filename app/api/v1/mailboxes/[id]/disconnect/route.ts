import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { apiLocale } from '@/lib/i18n/request-locale';
import { toMailboxResponse } from '@/lib/mailboxes/mailboxes';
import { disconnectMailbox } from '@/lib/tokens/disconnect-mailbox';

export const POST = apiRoute(endpoints.disconnectMailbox, async ({ user, params, request }) => {
  const { mailbox, revoked } = await disconnectMailbox({ viewer: user, mailboxId: params.id });
  return { ...toMailboxResponse(mailbox, apiLocale(request)), revokedAtProvider: revoked };
});
