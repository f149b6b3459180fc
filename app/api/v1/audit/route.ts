import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findAuditEvents } from '@/lib/audit/find-audit-events';

export const GET = apiRoute(endpoints.listAuditEvents, async ({ query }) => {
  const { events, nextCursor } = await findAuditEvents({
    limit: query.limit,
    cursor: query.cursor,
    mailboxId: query.mailboxId,
    profileId: query.profileId,
  });
  return {
    data: events.map((event) => ({
      id: String(event.id),
      at: event.at.toISOString(),
      actor: event.actorLabel,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      mailboxId: event.mailboxId,
      profileId: event.profileId,
      detail: event.detail,
    })),
    nextCursor: nextCursor === null ? null : String(nextCursor),
  };
});
