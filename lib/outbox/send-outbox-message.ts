import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { problemOf } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { describeError, logger } from '@/lib/logger';
import { directionServerName } from '@/lib/mail/server-target';
import { claimOutboxMessage, LEASE_MS, type Claim } from './claim-outbox-message';
import { deliverMessage, DeliveryFailure, LeaseLostError } from './deliver-message';
import { recordFailed, recordHandoff, recordRetry, recordSent, releaseLease, renewLease, type AttemptRef } from './record-attempt';

/** Waits before the next attempt after a temporary failure: seconds, then minutes, then hourly until the message expires. */
const BACKOFF_SECONDS = [5, 30, 120, 600, 1_800, 3_600];
/** How long a worker waits for one of the profile's connections before it leaves the message to a later job. */
const SLOT_WAIT_MS = 20_000;
const SLOT_POLL_MS = 200;

/** The wait after the `attempt`th attempt failed for now, with a fifth of jitter so that retries do not come in waves. */
export function backoffAfter(attempt: number): number {
  const seconds = BACKOFF_SECONDS[Math.min(attempt, BACKOFF_SECONDS.length) - 1]!;
  return seconds * 1000 * (0.9 + Math.random() * 0.2);
}

/** Renews the attempt's lease a few times per lease period until stopped; `lost` once the lease is another's. */
function keepLease(ref: AttemptRef): { lost: () => boolean; stop: () => void } {
  let lost = false;
  const timer = setInterval(() => {
    renewLease(ref).then(
      (held) => (lost ||= !held),
      (error: unknown) => logger.warn('Could not renew an outgoing message’s lease', { messageId: ref.messageId, error: describeError(error) }),
    );
  }, LEASE_MS / 3);
  timer.unref();
  return { lost: () => lost, stop: () => clearInterval(timer) };
}

/** A fault of the portal itself (its database, a bug): tried again, unless the message may already have gone. */
function unexpectedFailure(error: unknown, handedOver: boolean, server: string): DeliveryFailure {
  logger.error('Outgoing message attempt failed unexpectedly', { error: describeError(error) });
  if (handedOver) return new DeliveryFailure(problemOf('delivery_unknown', phrase('outbox.failures.deliveryUnknown', { server })), false);
  return new DeliveryFailure(problemOf('unknown', phrase('outbox.failures.internal')), true);
}

async function attemptDelivery(claim: Extract<Claim, { kind: 'claimed' }>, requeue: (at: Date) => Promise<void>): Promise<void> {
  const { message, mailbox } = claim;
  const ref = { messageId: message.id, attempt: message.attempts };
  const lease = keepLease(ref);
  let handedOver = false;
  try {
    const accepted = await deliverMessage({
      ...claim,
      beforeHandoff: async () => {
        if (lease.lost() || !(await recordHandoff(ref))) throw new LeaseLostError();
        handedOver = true;
      },
    });
    await recordSent(ref, accepted.reply.slice(0, 1000));
    logger.info('Outgoing message sent', { messageId: message.id, mailbox: mailbox.address, attempt: ref.attempt });
    await accepted.close();
  } catch (error) {
    if (error instanceof LeaseLostError) {
      logger.warn('Outgoing message left to another attempt: its lease was lost', { messageId: message.id });
      return;
    }
    const failure = error instanceof DeliveryFailure ? error : unexpectedFailure(error, handedOver, directionServerName(claim.profile, 'outgoing'));
    const nextAttemptAt = new Date(Date.now() + backoffAfter(ref.attempt));
    const retry = failure.temporary && nextAttemptAt < message.expiresAt;
    logger.warn('Outgoing message not sent', { messageId: message.id, mailbox: mailbox.address, attempt: ref.attempt, code: failure.failure.code, retry });
    if (retry) {
      await recordRetry(ref, failure.failure, nextAttemptAt);
      await requeue(nextAttemptAt);
    } else {
      await recordFailed(ref, failure.failure);
    }
  } finally {
    lease.stop();
    await releaseLease(ref);
  }
}

/**
 * How often a message goes out, whatever stops: at most once, and never lost without a reason.
 * An attempt holds the message by a lease it renews. Right before the content goes (after DATA's
 * 354, or before the web API's request) it records the handoff, only while its lease holds; the
 * server's 250 is recorded at once. A worker that dies before the handoff sent nothing: the sweep
 * queues the message again. One that dies after it, before the 250 is recorded, may have sent it:
 * SMTP offers no way to ask, so the sweep fails it as `delivery_unknown` rather than risk a second
 * copy, and says to check before sending again. Exactly once holds everywhere but that window of a
 * few milliseconds (and a server that takes a message without answering, likewise unknown).
 *
 * The job of one queued message: claims it when its mailbox sends, its profile has a connection
 * free and its mailbox's rate allows, then makes one attempt. A message that must wait is left to
 * a later job (`requeue`) or, while its mailbox does not send, to the sweep.
 */
export async function sendOutboxMessage({ messageId, requeue }: { messageId: string; requeue: (at: Date) => Promise<void> }): Promise<void> {
  const giveUpAt = Date.now() + SLOT_WAIT_MS;
  for (;;) {
    const claim = await claimOutboxMessage({ messageId });
    if (claim.kind === 'claimed') return attemptDelivery(claim, requeue);
    if (claim.kind === 'later') return requeue(claim.at);
    if (claim.kind !== 'busy') return;
    if (Date.now() >= giveUpAt) return requeue(new Date(Date.now() + 1_000));
    await sleep(SLOT_POLL_MS + Math.random() * SLOT_POLL_MS);
  }
}
