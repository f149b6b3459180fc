import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findMailboxTimeline } from '@/lib/audit/find-mailbox-timeline';
import { notFound } from '@/lib/errors';
import { getTokenStatusRow } from '@/lib/tokens/find-token-statuses';

export const GET = apiRoute(endpoints.getMailboxTimeline, async ({ user, params }) => {
  const status = await getTokenStatusRow({ viewer: user, mailboxId: params.id });
  if (!status) throw notFound('The mailbox');
  const entries = await findMailboxTimeline({ status });
  return {
    data: entries.map(({ at, kind, title, actor, detail, hint, test }) => ({ at, kind, title, actor, detail, hint, testId: test?.id ?? null })),
  };
});
