import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { moveMailboxes } from '@/lib/mailboxes/mailboxes';

export const POST = apiRoute(endpoints.moveMailboxes, async ({ user, body }) =>
  moveMailboxes({ actor: userActor(user), ids: body.ids, profileId: body.profileId }),
);
