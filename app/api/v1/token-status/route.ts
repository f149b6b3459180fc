import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { renderTokenStatus } from '@/lib/tokens/render-token-status';
import { withLastSystemUse } from '@/lib/tokens/system-use';

export const GET = apiRoute(endpoints.listTokenStatuses, async ({ request, user, query }) => {
  const { sort, limit, cursor, ...filters } = query;
  const { rows, nextCursor } = await findTokenStatuses({ viewer: user, filters, sort, limit, cursor });
  const locale = apiLocale(request);
  return { data: (await withLastSystemUse(rows)).map((row) => renderTokenStatus(row, locale)), nextCursor };
});
