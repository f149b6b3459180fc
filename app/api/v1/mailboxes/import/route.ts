import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { userActor } from '@/lib/audit/actor';
import { apiLocale } from '@/lib/i18n/request-locale';
import { importMailboxes, renderImportResult } from '@/lib/mailboxes/import-mailboxes';

export const POST = apiRoute(endpoints.importMailboxes, async ({ user, body, request }) =>
  renderImportResult(await importMailboxes({ actor: userActor(user), csv: body.csv, dryRun: body.dryRun }), apiLocale(request)),
);
