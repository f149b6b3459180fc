import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';

export const GET = apiRoute(endpoints.listTokenStatuses, async ({ user, query }) => {
  const { sort, limit, cursor, ...filters } = query;
  const { rows, nextCursor } = await findTokenStatuses({ viewer: user, filters, sort, limit, cursor });
  return { data: rows, nextCursor };
});
