import { englishProblem, type Problem } from '@/lib/errors';
import type { Phrase, PhraseValues } from '@/lib/i18n/text';

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
  readonly key?: string;
  readonly values?: PhraseValues;

  /** Its words: a phrase naming a group of `message` and `hint` in the messages, or English sentences (for now). */
  constructor(options: { reach: FailureReach; code: string } & ({ message: string; hint: string } | { phrase: Phrase })) {
    const english = 'phrase' in options ? englishProblem(options.phrase) : options;
    super(english.message);
    this.name = 'OAuthFailure';
    this.reach = options.reach;
    this.code = options.code;
    this.hint = english.hint ?? '';
    if ('phrase' in options) {
      this.key = options.phrase.key;
      this.values = options.phrase.values;
    }
  }
}

