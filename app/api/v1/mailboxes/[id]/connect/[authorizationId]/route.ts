import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { getConnectProgress } from '@/lib/connect/get-connect-state';

export const GET = apiRoute(endpoints.getConnectProgress, async ({ user, params }) => {
  const progress = await getConnectProgress({ viewer: user, mailboxId: params.id, authorizationId: params.authorizationId });
  const failed = progress.outcome && !progress.outcome.ok ? progress.outcome : null;
  return {
    state: progress.state,
    connectedAs: progress.connectedAs,
    error: failed ? { code: failed.code, message: failed.message, hint: failed.hint } : null,
  };
});
