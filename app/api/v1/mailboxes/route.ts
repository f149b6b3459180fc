import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { createMailbox, findMailboxes, toMailboxResponse } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.listMailboxes, async ({ user, query, request }) => {
  const { limit, cursor, ...filters } = query;
  const { mailboxes, nextCursor } = await findMailboxes({ viewer: user, filters, limit, cursor });
  return { data: mailboxes.map((mailbox) => toMailboxResponse(mailbox, apiLocale(request))), nextCursor };
});

export const POST = apiRoute(endpoints.createMailbox, async ({ user, body, request }) =>
  toMailboxResponse(await createMailbox({ actor: userActor(user), input: body }), apiLocale(request)),
);
