import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { revokeApiKey } from '@/lib/auth/api-keys';

export const DELETE = apiRoute(endpoints.revokeApiKey, async ({ user, params }) => {
  await revokeApiKey({ actor: userActor(user), id: params.id, ownerId: user.role === 'admin' ? undefined : user.id });
  return new Response(null, { status: 204 });
});
