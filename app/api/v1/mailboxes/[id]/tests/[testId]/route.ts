import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderConnectionTest } from '@/lib/tester/connection-tests';
import { getMailboxTest } from '@/lib/tester/test-mailbox';

export const GET = apiRoute(endpoints.getMailboxTest, async ({ request, user, params }) => {
  const test = await getMailboxTest({ viewer: user, mailboxId: params.id, testId: params.testId });
  if (!test) throw notFound('test');
  return renderConnectionTest(test, apiLocale(request));
});
