import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { startAuthorization } from '@/lib/connect/start-authorization';

export const POST = apiRoute(endpoints.connectMailbox, async ({ user, params }) => {
  const started = await startAuthorization({ viewer: user, mailboxId: params.id });
  return started.flow === 'code'
    ? { authorizationId: started.authorizationId, authorizationUrl: started.authorizationUrl }
    : {
        authorizationId: started.authorizationId,
        userCode: started.userCode,
        verificationUri: started.verificationUri,
        expiresAt: started.expiresAt.toISOString(),
        interval: started.interval,
      };
});
