import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { notFound } from '@/lib/errors';
import { deleteMailbox, getMailbox, toMailboxResponse, updateMailbox } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.getMailbox, async ({ user, params }) => {
  const mailbox = await getMailbox({ viewer: user, id: params.id });
  if (!mailbox) throw notFound('mailbox');
  return toMailboxResponse(mailbox);
});

export const PATCH = apiRoute(endpoints.updateMailbox, async ({ user, params, body }) =>
  toMailboxResponse(await updateMailbox({ actor: userActor(user), id: params.id, input: body })),
);

export const DELETE = apiRoute(endpoints.deleteMailbox, async ({ user, params }) => {
  await deleteMailbox({ actor: userActor(user), id: params.id });
  return new Response(null, { status: 204 });
});
