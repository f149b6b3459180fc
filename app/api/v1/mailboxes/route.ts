import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { createMailbox, findMailboxes, toMailboxResponse } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.listMailboxes, async ({ user, query }) => {
  const { limit, cursor, ...filters } = query;
  const { mailboxes, nextCursor } = await findMailboxes({ viewer: user, filters, limit, cursor });
  return { data: mailboxes.map(toMailboxResponse), nextCursor };
});

export const POST = apiRoute(endpoints.createMailbox, async ({ user, body }) =>
  toMailboxResponse(await createMailbox({ actor: userActor(user), input: body })),
);
