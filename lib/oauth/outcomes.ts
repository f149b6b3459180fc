import type { Problem } from '@/lib/errors';

/** What a connect attempt ended with, as the mailbox page tells it. */
export type ConnectOutcome = Problem & { ok: boolean; hint: string };

/** Outcomes that have no mailbox to show them on (the state names none we know). */
export const STATE_OUTCOMES: Record<string, ConnectOutcome> = {
  state_unknown: {
    ok: false,
    code: 'state_unknown',
    message: 'This sign-in answer does not belong to a connection Mailroom started.',
    hint: 'Start again from the mailbox page with “Connect”.',
  },
};

export const TENANT_REQUIRED_OUTCOME: ConnectOutcome = {
  ok: false,
  code: 'tenant_required',
  message:
    'A shared mailbox can be connected only when the server profile names its Microsoft 365 tenant: with “common”, “organizations” or “consumers” a delegate from any organization could sign in. Nothing was saved.',
  hint: 'An admin sets the profile’s tenant to the organization’s tenant id (a GUID; or its domain, with the issuer …/{tenant id}/v2.0), then connect again.',
};
