import { englishProblem, type Problem } from '@/lib/errors';
import type { Phrase, PhraseValues, Text } from '@/lib/i18n/text';

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
  readonly key: string;
  readonly values?: PhraseValues;

  /** Its words: a phrase naming an `oauth.failures.*` group of `message` and `hint`. */
  constructor(options: { reach: FailureReach; code: string; phrase: Phrase }) {
    const english = englishProblem(options.phrase);
    super(english.message);
    this.name = 'OAuthFailure';
    this.reach = options.reach;
    this.code = options.code;
    this.hint = english.hint ?? '';
    this.key = options.phrase.key;
    this.values = options.phrase.values;
  }

  /** Its message or hint as a sentence inside another one (an outcome that quotes it), in each reader's language. */
  text(part: 'message' | 'hint'): Text {
    return { key: `${this.key}.${part}`, ...(this.values ? { values: this.values } : {}) };
  }
}
