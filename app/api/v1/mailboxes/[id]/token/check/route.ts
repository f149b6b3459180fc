import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { checkMailboxGrant } from '@/lib/tokens/check-mailbox-grant';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';
import { renderTokenStatus } from '@/lib/tokens/render-token-status';

export const POST = apiRoute(endpoints.checkMailboxToken, async ({ request, user, params }) => {
  await checkMailboxGrant({ viewer: user, mailboxId: params.id });
  return renderTokenStatus(await getTokenStatus({ viewer: user, mailboxId: params.id }), apiLocale(request));
});
