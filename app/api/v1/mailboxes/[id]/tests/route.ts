import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findMailboxTests } from '@/lib/tester/test-mailbox';

export const GET = apiRoute(endpoints.listMailboxTests, async ({ user, params, query }) =>
  findMailboxTests({ viewer: user, mailboxId: params.id, limit: query.limit, cursor: query.cursor }),
);
