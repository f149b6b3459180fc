import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderConnectionTest } from '@/lib/tester/connection-tests';
import { testMailbox } from '@/lib/tester/test-mailbox';

export const POST = apiRoute(endpoints.testMailbox, async ({ request, user, params, body }) =>
  renderConnectionTest(await testMailbox({ viewer: user, mailboxId: params.id, sendTestMessage: body.sendTestMessage }), apiLocale(request)),
);
