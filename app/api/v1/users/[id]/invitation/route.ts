import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderPasswordLinkDelivery, sendPasswordLink } from '@/lib/users/password-links';

export const POST = apiRoute(endpoints.sendInvitation, async ({ request, user, params }) =>
  renderPasswordLinkDelivery(await sendPasswordLink({ actor: userActor(user), userId: params.id, purpose: 'invitation' }), apiLocale(request)),
);
