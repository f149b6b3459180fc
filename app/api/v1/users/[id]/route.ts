import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { notFound } from '@/lib/errors';
import { getUserById, toUserResponse, updateUser } from '@/lib/users/users';

export const GET = apiRoute(endpoints.getUser, async ({ params }) => {
  const user = await getUserById({ id: params.id });
  if (!user) throw notFound('user');
  return toUserResponse(user);
});

export const PATCH = apiRoute(endpoints.updateUser, async ({ user, params, body }) =>
  toUserResponse(await updateUser({ actor: userActor(user), id: params.id, input: body })),
);

export const DELETE = apiRoute(endpoints.deactivateUser, async ({ user, params }) =>
  toUserResponse(await updateUser({ actor: userActor(user), id: params.id, input: { active: false } })),
);
