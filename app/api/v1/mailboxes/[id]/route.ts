import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { deleteMailbox, getMailbox, toMailboxResponse, updateMailbox } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.getMailbox, async ({ user, params, request }) => {
  const mailbox = await getMailbox({ viewer: user, id: params.id });
  if (!mailbox) throw notFound('mailbox');
  return toMailboxResponse(mailbox, apiLocale(request));
});

export const PATCH = apiRoute(endpoints.updateMailbox, async ({ user, params, body, request }) =>
  toMailboxResponse(await updateMailbox({ actor: userActor(user), id: params.id, input: body }), apiLocale(request)),
);

export const DELETE = apiRoute(endpoints.deleteMailbox, async ({ user, params }) => {
  await deleteMailbox({ actor: userActor(user), id: params.id });
  return new Response(null, { status: 204 });
});
