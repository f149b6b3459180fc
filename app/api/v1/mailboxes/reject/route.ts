import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { decideMailboxes } from '@/lib/mailboxes/mailboxes';

export const POST = apiRoute(endpoints.rejectMailboxes, async ({ user, body }) =>
  decideMailboxes({ actor: userActor(user), ids: body.ids, decision: 'reject' }),
);
