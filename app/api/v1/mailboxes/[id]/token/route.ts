import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { getTokenStatus } from '@/lib/tokens/find-token-statuses';

export const GET = apiRoute(endpoints.getMailboxToken, async ({ user, params }) => getTokenStatus({ viewer: user, mailboxId: params.id }));
