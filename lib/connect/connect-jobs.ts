import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { pollDeviceAuthorizationJob } from './device-poll-job';
import { purgeSpentAuthorizations } from '@/lib/oauth/purge-spent-authorizations';

/** Every hour, whichever portal instance notices first purges the sign-ins and reconnect links past their use. */
export const purgeSpentAuthorizationsJob = defineJob({
  name: 'oauth.purge-spent-authorizations',
  payload: z.object({}),
  handle: () => purgeSpentAuthorizations(),
  options: { singleton: 'queued', retryLimit: 1 },
  schedule: { cron: '17 * * * *', payload: {} },
});

export const oauthJobs = [purgeSpentAuthorizationsJob, pollDeviceAuthorizationJob];
