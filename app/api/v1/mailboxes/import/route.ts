import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { startMailboxImport } from '@/lib/mailboxes/import-mailboxes';

// 202: the job is queued; its progress and results come from GET …/import/{jobId}.
export const POST = apiRoute(endpoints.importMailboxes, ({ user, body, query }) =>
  startMailboxImport({ actor: userActor(user), csv: body.csv, dryRun: body.dryRun || query.dryRun === true }),
);
