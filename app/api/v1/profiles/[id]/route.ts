import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderText } from '@/lib/i18n/text';
import { deleteProfile, getProfileById, toProfileResponse, updateProfile } from '@/lib/profiles/profiles';

export const GET = apiRoute(endpoints.getProfile, async ({ params }) => {
  const profile = await getProfileById({ id: params.id });
  if (!profile) throw notFound('serverProfile');
  return toProfileResponse(profile);
});

export const PATCH = apiRoute(endpoints.updateProfile, async ({ request, user, params, body }) => {
  const { profile, notices } = await updateProfile({ actor: userActor(user), id: params.id, input: body });
  const locale = apiLocale(request);
  return { ...toProfileResponse(profile), notices: notices.map((notice) => renderText(notice, locale)) };
});

export const DELETE = apiRoute(endpoints.deleteProfile, async ({ user, params }) => {
  await deleteProfile({ actor: userActor(user), id: params.id });
  return new Response(null, { status: 204 });
});
