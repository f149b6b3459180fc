import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { renderAlert } from '@/lib/alerts/alert';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getMailbox } from '@/lib/mailboxes/mailboxes';

export const GET = apiRoute(endpoints.listMailboxAlerts, async ({ user, params, request }) => {
  if (!(await getMailbox({ viewer: user, id: params.id }))) throw notFound('mailbox');
  return { data: (await findMailboxAlerts({ viewer: user, mailboxId: params.id })).map((alert) => renderAlert(alert, apiLocale(request))) };
});
