import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { createUser, findUsers, toUserResponse } from '@/lib/users/users';

export const GET = apiRoute(endpoints.listUsers, async ({ query }) => {
  const { users, nextCursor } = await findUsers(query);
  return { data: users.map(toUserResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createUser, async ({ user, body }) =>
  toUserResponse(await createUser({ actor: userActor(user), input: body })),
);
