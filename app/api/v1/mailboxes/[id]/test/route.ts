import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { testMailbox } from '@/lib/tester/test-mailbox';

export const POST = apiRoute(endpoints.testMailbox, async ({ user, params, body }) =>
  testMailbox({ viewer: user, mailboxId: params.id, sendTestMessage: body.sendTestMessage }),
);
