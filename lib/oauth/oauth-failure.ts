import type { Problem } from '@/lib/errors';

/**
 * How far a failure at the provider reaches: `mailbox` (this grant is dead: reconnect), `profile`
 * (the app itself is refused: fix the profile, once for all its mailboxes) or `temporary`
 * (network, 5xx, timeouts: try again later, change nothing).
 */
export type FailureReach = 'mailbox' | 'profile' | 'temporary';

export class OAuthFailure extends Error implements Problem {
  readonly reach: FailureReach;
  readonly code: string;
  readonly hint: string;

  constructor(options: { reach: FailureReach; code: string; message: string; hint: string }) {
    super(options.message);
    this.name = 'OAuthFailure';
    this.reach = options.reach;
    this.code = options.code;
    this.hint = options.hint;
  }
}

