import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { apiLocale } from '@/lib/i18n/request-locale';
import { toMailboxResponse } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';

export const POST = apiRoute(endpoints.setMailboxCredentials, async ({ user, params, body, request }) =>
  toMailboxResponse(await setMailboxPassword({ viewer: user, mailboxId: params.id, password: body.password }), apiLocale(request)),
);
