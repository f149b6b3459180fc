import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { getConnectProgress } from '@/lib/connect/get-connect-state';
import { renderProblem } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';

export const GET = apiRoute(endpoints.getConnectProgress, async ({ request, user, params }) => {
  const progress = await getConnectProgress({ viewer: user, mailboxId: params.id, authorizationId: params.authorizationId });
  const failed = progress.outcome && !progress.outcome.ok ? renderProblem(progress.outcome, apiLocale(request)) : null;
  return {
    state: progress.state,
    connectedAs: progress.connectedAs,
    error: failed ? { code: failed.code, message: failed.message, hint: failed.hint ?? '' } : null,
  };
});
