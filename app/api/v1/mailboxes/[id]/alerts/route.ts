import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { notFound } from '@/lib/errors';
import { getMailbox } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.listMailboxAlerts, async ({ user, params }) => {
  if (!(await getMailbox({ viewer: user, id: params.id }))) throw notFound('mailbox');
  return { data: await findMailboxAlerts({ viewer: user, mailboxId: params.id }) };
});
