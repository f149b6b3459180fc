import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';
import { renderTokenStatus } from '@/lib/tokens/render-token-status';
import { getLastSystemUse } from '@/lib/tokens/system-use';

export const POST = apiRoute(endpoints.checkMailboxToken, async ({ request, user, params }) => {
  await checkMailboxGrant({ viewer: user, mailboxId: params.id });
  const status = await getTokenStatus({ viewer: user, mailboxId: params.id });
  return renderTokenStatus({ ...status, lastSystemUse: await getLastSystemUse(params.id) }, apiLocale(request));
});
