import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { notFound } from '@/lib/errors';
import { deleteProfile, getProfileById, toProfileResponse, updateProfile } from '@/lib/profiles/profiles';

export const GET = apiRoute(endpoints.getProfile, async ({ params }) => {
  const profile = await getProfileById({ id: params.id });
  if (!profile) throw notFound('The server profile');
  return toProfileResponse(profile);
});

export const PATCH = apiRoute(endpoints.updateProfile, async ({ user, params, body }) => {
  const { profile, notices } = await updateProfile({ actor: userActor(user), id: params.id, input: body });
  return { ...toProfileResponse(profile), notices };
});

export const DELETE = apiRoute(endpoints.deleteProfile, async ({ user, params }) => {
  await deleteProfile({ actor: userActor(user), id: params.id });
  return new Response(null, { status: 204 });
});
