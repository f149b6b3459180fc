import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { createApiKey, findApiKeys, toApiKeyResponse } from '@/lib/auth/api-keys';
import { keyOwnerFor } from '@/lib/auth/key-owner';

export const GET = apiRoute(endpoints.listApiKeys, async ({ user, query }) => {
  const { keys, nextCursor } = await findApiKeys({ ...query, userId: keyOwnerFor(user, query.userId) });
  return { data: keys.map(toApiKeyResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createApiKey, async ({ user, body }) => {
  const created = await createApiKey({ actor: userActor(user), ...body, userId: keyOwnerFor(user, body.userId) });
  return { ...toApiKeyResponse(created.summary), key: created.key };
});
