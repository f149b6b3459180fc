import { problemOf, type Problem } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';
import type { OAuthFailure } from './oauth-failure';

/** What a connect attempt ended with, as the mailbox page tells it; its key renders it in each reader's language. */
export type ConnectOutcome = Problem & { ok: boolean; hint: string };

/** An outcome from its `oauth.outcomes.*` phrase (a group of `message` and `hint`). */
export function connectOutcome(code: string, words: Phrase, { ok = false }: { ok?: boolean } = {}): ConnectOutcome {
  const problem = problemOf(code, words);
  return { ...problem, ok, hint: problem.hint ?? '' };
}

/** A provider's refusal as the outcome of the connect it ended, in its own words. */
export function failureOutcome(failure: OAuthFailure): ConnectOutcome {
  return { ok: false, code: failure.code, message: failure.message, hint: failure.hint, key: failure.key, ...(failure.values ? { values: failure.values } : {}) };
}

/** Outcomes that have no mailbox to show them on (the state names none we know). */
export const STATE_OUTCOMES: Record<string, ConnectOutcome> = {
  state_unknown: connectOutcome('state_unknown', phrase('oauth.outcomes.stateUnknown')),
};

export const TENANT_REQUIRED_OUTCOME: ConnectOutcome = connectOutcome('tenant_required', phrase('oauth.outcomes.tenantRequired'));
