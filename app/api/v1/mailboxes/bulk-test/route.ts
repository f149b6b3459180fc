import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { startBulkTest } from '@/lib/tester/bulk-tests';

// 202: the job is queued; its results come from GET …/bulk-test/{id}.
export const POST = apiRoute(endpoints.startBulkTest, ({ user, body }) => startBulkTest({ viewer: user, target: body }));
