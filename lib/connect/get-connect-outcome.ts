import 'server-only';
import { isId } from '@/lib/validations/common';
import { getAuthorizationOutcome } from '@/lib/oauth/authorizations';
import { STATE_OUTCOMES, type ConnectOutcome } from '@/lib/oauth/outcomes';

const REUSED: ConnectOutcome = {
  ok: false,
  code: 'state_reused',
  message: 'This sign-in answer was already used.',
  hint: 'If the mailbox is not connected, start again with “Connect”.',
};

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
