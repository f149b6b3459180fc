import 'server-only';
import { isId } from '@/lib/validations/common';
import { getAuthorizationOutcome } from '@/lib/oauth/authorizations';
import { phrase } from '@/lib/i18n/text';
import { connectOutcome, STATE_OUTCOMES, type ConnectOutcome } from '@/lib/oauth/outcomes';

const REUSED = connectOutcome('state_reused', phrase('oauth.outcomes.stateReused'));

/**
 * The outcome the callback recorded, read back for the mailbox page: the URL carries only the
 * authorization's id (or a code for outcomes that have none), never a message.
 */
export async function getConnectOutcome({ mailboxId, reference }: { mailboxId: string | null; reference: string }): Promise<ConnectOutcome | null> {
  if (reference === 'state_reused') return REUSED;
  // Own keys only: `constructor` or `__proto__` are unknown outcomes, not Object.prototype's.
  if (Object.hasOwn(STATE_OUTCOMES, reference)) return STATE_OUTCOMES[reference]!;
  if (!mailboxId || !isId(reference)) return null;
  return getAuthorizationOutcome({ id: reference, mailboxId });
}
