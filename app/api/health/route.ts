import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { checkDatabase } from '@/lib/health';

export const GET = apiRoute(endpoints.health, async () => {
  const database = (await checkDatabase()) ? 'ok' : 'unavailable';
  return Response.json(
    { status: database === 'ok' ? 'ok' : 'unavailable', database },
    { status: database === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
});
