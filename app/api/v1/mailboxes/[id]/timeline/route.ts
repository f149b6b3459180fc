import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findMailboxTimeline, renderTimelineEntry } from '@/lib/audit/find-mailbox-timeline';
import { notFound } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getTokenStatusRow } from '@/lib/tokens/find-token-statuses';

export const GET = apiRoute(endpoints.getMailboxTimeline, async ({ user, params, request }) => {
  const status = await getTokenStatusRow({ viewer: user, mailboxId: params.id });
  if (!status) throw notFound('mailbox');
  const entries = await findMailboxTimeline({ status });
  const locale = apiLocale(request);
  return {
    data: entries.map(({ test, ...entry }) => {
      // `audit` is for the portal's pages: the API keeps its shape.
      const { at, kind, title, actor, detail, hint } = renderTimelineEntry(entry, locale);
      return { at, kind, title, actor, detail, hint, testId: test?.id ?? null };
    }),
  };
});
