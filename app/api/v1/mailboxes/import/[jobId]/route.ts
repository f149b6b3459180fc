import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getMailboxImport, mailboxImportNotFound, renderMailboxImport } from '@/lib/mailboxes/import-mailboxes';

export const GET = apiRoute(endpoints.getMailboxImport, async ({ request, params }) => {
  const status = await getMailboxImport({ jobId: params.jobId });
  if (!status) throw mailboxImportNotFound();
  return renderMailboxImport(status, apiLocale(request));
});
