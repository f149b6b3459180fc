import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { notFound } from '@/lib/errors';
import { getMailboxTest } from '@/lib/tester/test-mailbox';

export const GET = apiRoute(endpoints.getMailboxTest, async ({ user, params }) => {
  const test = await getMailboxTest({ viewer: user, mailboxId: params.id, testId: params.testId });
  if (!test) throw notFound('test');
  return test;
});
