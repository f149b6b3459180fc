import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { createProfile, findProfiles, toProfileResponse } from '@/lib/profiles/profiles';

export const GET = apiRoute(endpoints.listProfiles, async ({ query }) => {
  const { profiles, nextCursor } = await findProfiles(query);
  return { data: profiles.map(toProfileResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createProfile, async ({ user, body }) =>
  toProfileResponse(await createProfile({ actor: userActor(user), input: body })),
);
