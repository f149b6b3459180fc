import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderConnectionTest } from '@/lib/tester/connection-tests';
import { findMailboxTests } from '@/lib/tester/test-mailbox';

export const GET = apiRoute(endpoints.listMailboxTests, async ({ request, user, params, query }) => {
  const page = await findMailboxTests({ viewer: user, mailboxId: params.id, limit: query.limit, cursor: query.cursor });
  const locale = apiLocale(request);
  return { ...page, data: page.data.map((test) => renderConnectionTest(test, locale)) };
});
