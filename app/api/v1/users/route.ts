import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { createUserWithAccess, findUsers, toUserResponse } from '@/lib/users/users';

export const GET = apiRoute(endpoints.listUsers, async ({ query }) => {
  const { users, nextCursor } = await findUsers(query);
  return { data: users.map(toUserResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createUser, async ({ user, body }) => {
  const created = await createUserWithAccess({ actor: userActor(user), input: body });
  return { ...toUserResponse(created.user), invitation: created.invitation };
});
