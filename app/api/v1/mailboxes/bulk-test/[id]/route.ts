import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { notFound } from '@/lib/errors';
import { getBulkTest } from '@/lib/tester/bulk-tests';

export const GET = apiRoute(endpoints.getBulkTest, async ({ user, params }) => {
  const status = await getBulkTest({ viewer: user, jobId: params.id });
  if (!status) throw notFound('bulkTest');
  return status;
});
