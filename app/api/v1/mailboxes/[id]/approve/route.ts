import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { applyMailboxEvent, toMailboxResponse } from '@/lib/mailboxes/mailboxes';

export const POST = apiRoute(endpoints.approveMailbox, async ({ user, params, request }) =>
  toMailboxResponse(await applyMailboxEvent({ actor: userActor(user), id: params.id, event: 'approve' }), apiLocale(request)),
);
