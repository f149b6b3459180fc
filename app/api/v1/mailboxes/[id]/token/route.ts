import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';
import { renderTokenStatus } from '@/lib/tokens/render-token-status';
import { getLastSystemUse } from '@/lib/tokens/system-use';

export const GET = apiRoute(endpoints.getMailboxToken, async ({ request, user, params }) => {
  const [status, lastSystemUse] = await Promise.all([getTokenStatus({ viewer: user, mailboxId: params.id }), getLastSystemUse(params.id)]);
  return renderTokenStatus({ ...status, lastSystemUse }, apiLocale(request));
});
