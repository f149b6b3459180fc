import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';
import { renderTokenStatus } from '@/lib/tokens/render-token-status';

export const GET = apiRoute(endpoints.getMailboxToken, async ({ request, user, params }) =>
  renderTokenStatus(await getTokenStatus({ viewer: user, mailboxId: params.id }), apiLocale(request)),
);
