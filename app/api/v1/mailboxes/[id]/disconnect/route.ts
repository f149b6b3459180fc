import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { toMailboxResponse } from '@/lib/mailboxes/mailboxes';
import { disconnectMailbox } from '@/lib/tokens/disconnect-mailbox';

export const POST = apiRoute(endpoints.disconnectMailbox, async ({ user, params }) => {
  const { mailbox, revoked } = await disconnectMailbox({ viewer: user, mailboxId: params.id });
  return { ...toMailboxResponse(mailbox), revokedAtProvider: revoked };
});
