import type { ServerProfile } from '@/db/schema';
import type { NextStep } from './status';

/**
 * The words of a mailbox's state live in messages/*.json (`status.*`), keyed by the values stored
 * here; `nextStep` keeps its English label for the API and the logs, and pages translate where they
 * render, from these keys. Kept beside the status machine so that a new kind cannot go unnamed.
 */
export type NextStepMessage =
  | { key: 'disabled' | 'rejected' | 'pending' | 'profile' | 'active' | 'failingForAdmin' | 'failingForOwner' | 'untested' }
  | { key: 'connect' | 'reconnect'; connect: ConnectMessageKey };

export type ConnectMessageKey = ServerProfile['serverType'] | 'password';

/** The `status.connect.*` key of the button that connects a mailbox of this profile. */
export function connectMessageKey(profile: Pick<ServerProfile, 'serverType' | 'authType'>): ConnectMessageKey {
  return profile.authType === 'password' ? 'password' : profile.serverType;
}

/** The `status.nextStep.*` message of a next step. */
export function nextStepMessage(step: NextStep, profile: Pick<ServerProfile, 'serverType' | 'authType'>): NextStepMessage {
  switch (step.kind) {
    case 'not_connected':
      return { key: 'connect', connect: connectMessageKey(profile) };
    case 'needs_reconnect':
      return { key: 'reconnect', connect: connectMessageKey(profile) };
    case 'failing':
      return { key: step.actor === 'admin' ? 'failingForAdmin' : 'failingForOwner' };
    default:
      return { key: step.kind };
  }
}
