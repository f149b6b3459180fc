import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { importMailboxes } from '@/lib/mailboxes/import-mailboxes';

export const POST = apiRoute(endpoints.importMailboxes, async ({ user, body }) =>
  importMailboxes({ actor: userActor(user), csv: body.csv, dryRun: body.dryRun }),
);
