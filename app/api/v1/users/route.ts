import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderPasswordLinkDelivery } from '@/lib/users/password-links';
import { createUserWithAccess, findUsers, toUserResponse } from '@/lib/users/users';

export const GET = apiRoute(endpoints.listUsers, async ({ query }) => {
  const { users, nextCursor } = await findUsers(query);
  return { data: users.map(toUserResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createUser, async ({ request, user, body }) => {
  const created = await createUserWithAccess({ actor: userActor(user), input: body });
  const invitation = created.invitation && renderPasswordLinkDelivery(created.invitation, apiLocale(request));
  return { ...toUserResponse(created.user), invitation };
});
