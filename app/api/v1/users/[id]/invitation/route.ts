import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { sendPasswordLink } from '@/lib/users/password-links';

export const POST = apiRoute(endpoints.sendInvitation, async ({ user, params }) =>
  sendPasswordLink({ actor: userActor(user), userId: params.id, purpose: 'invitation' }),
);
