import type { Mailbox, ServerProfile } from '@/db/schema';
import type { JobContext } from '@/lib/jobs/define-job';
import type { HeldSlots } from '@/lib/jobs/shared-slots';

/**
 * The most connections one test of this mailbox holds at once to its profile's servers: one per
 * enabled direction, incoming and outgoing running at the same time (every protocol signs in, and
 * sends any test message, on the connection whose certificate it checked).
 */
export function connectionsPerTest({ incoming, outgoing }: Pick<Mailbox, 'incoming' | 'outgoing'>): number {
  return (incoming === 'server_side' ? 1 : 0) + (outgoing === 'server_side' ? 1 : 0);
}

/**
 * Takes, before a bulk test of the mailbox starts, the connections it may open from its profile's
 * `maxConcurrentConnections`, counted across every portal instance: whichever instance tests which
 * mailbox, the profile's servers never see more at once. A test needing more than the whole limit
 * takes all of it, so it runs alone.
 */
export function takeProfileConnections(
  context: Pick<JobContext, 'takeSlots'>,
  { profile, mailbox }: { profile: Pick<ServerProfile, 'id' | 'maxConcurrentConnections'>; mailbox: Pick<Mailbox, 'incoming' | 'outgoing'> },
): Promise<HeldSlots> {
  return context.takeSlots({
    name: `tester.bulk-test:profile:${profile.id}`,
    limit: profile.maxConcurrentConnections,
    count: connectionsPerTest(mailbox),
  });
}
