import 'server-only';
import { z } from 'zod';
import { defineJob } from '@/lib/jobs/define-job';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { pollDeviceAuthorization } from './poll-device-authorization';

/**
 * One poll of a device sign-in at the provider; while it is pending, the job sends itself again for
 * after the interval. Being stored jobs, the polls go on through a restart, on any portal instance.
 */
export const pollDeviceAuthorizationJob = defineJob({
  name: 'oauth.poll-device-authorization',
  payload: z.object({ authorizationId: z.uuid() }),
  handle: async ({ authorizationId }) => {
    const result = await pollDeviceAuthorization({ authorizationId });
    if (result?.status === 'pending') await enqueueDevicePoll({ authorizationId, afterSeconds: result.interval });
    return { status: result?.status ?? 'gone' };
  },
  // One poll waits per sign-in, whoever sends it; a failed poll (the database, not the provider) is tried again.
  options: { singleton: 'queued', retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: 120, concurrency: 4 },
});

export function enqueueDevicePoll({ authorizationId, afterSeconds }: { authorizationId: string; afterSeconds: number }): Promise<string | null> {
  return enqueueJob(pollDeviceAuthorizationJob, { authorizationId }, { singletonKey: authorizationId, startAfter: new Date(Date.now() + afterSeconds * 1000) });
}
