import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';

export const POST = apiRoute(endpoints.checkMailboxToken, async ({ user, params }) => {
  await checkMailboxGrant({ viewer: user, mailboxId: params.id });
  return getTokenStatus({ viewer: user, mailboxId: params.id });
});
