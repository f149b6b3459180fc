import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { fetchAccessTokenForService } from '@/lib/tokens/access-token-for-service';

export const POST = apiRoute(endpoints.fetchAccessToken, async ({ user, params }) => {
  const token = await fetchAccessTokenForService({ service: user, mailboxId: params.id });
  // A token in an answer must never be kept by a cache on its way.
  return Response.json(token, { headers: { 'Cache-Control': 'no-store' } });
});
