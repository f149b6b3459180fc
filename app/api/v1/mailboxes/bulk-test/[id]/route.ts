import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getBulkTest } from '@/lib/tester/bulk-tests';

export const GET = apiRoute(endpoints.getBulkTest, async ({ request, user, params }) => {
  const status = await getBulkTest({ viewer: user, jobId: params.id, locale: apiLocale(request) });
  if (!status) throw notFound('bulkTest');
  return status;
});
