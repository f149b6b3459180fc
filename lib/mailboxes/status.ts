import type { Mailbox, ServerProfile } from '@/db/schema';
import { AppError } from '@/lib/errors';

/** The parts of a mailbox that say where it stands. */
export type MailboxState = Pick<
  Mailbox,
  'approval' | 'connection' | 'status' | 'incomingStatus' | 'outgoingStatus' | 'incoming' | 'outgoing'
>;

export type MailboxEvent =
  | 'approve'
  | 'reject'
  | 'address_changed'
  | 'moved'
  | 'connected'
  | 'disconnected'
  | 'token_revoked'
  | 'disable'
  | 'enable';

type Patch = Partial<Pick<Mailbox, 'approval' | 'connection' | 'status' | 'incomingStatus' | 'outgoingStatus'>>;

const NOT_RUN: Patch = { incomingStatus: 'not_run', outgoingStatus: 'not_run' };

function refuse(why: string): never {
  throw new AppError('CONFLICT', why);
}

/**
 * The one place that knows how a mailbox may move between states. Each event either gives the
 * fields to write or is refused with the reason, never silently applied. A finished connection
 * test, which brings results with it, goes through `transitionAfterTest`.
 */
export function transition(state: MailboxState, event: MailboxEvent): Patch {
  switch (event) {
    case 'approve':
      if (state.approval === 'approved') refuse('This address is already approved.');
      return { approval: 'approved' };
    case 'reject':
      if (state.approval === 'rejected') refuse('This address is already rejected.');
      // A rejected address may not sync: an active mailbox stops.
      return { approval: 'rejected', status: state.status === 'disabled' ? 'disabled' : 'inactive' };
    case 'address_changed':
      // A new address needs a new approval and a new test, and the old grant was for the old address.
      return {
        approval: 'pending',
        status: state.status === 'disabled' ? 'disabled' : 'inactive',
        connection: state.connection === 'not_connected' ? 'not_connected' : 'needs_reconnect',
        ...NOT_RUN,
      };
    case 'moved':
      // The grant belonged to the old profile's OAuth app.
      return {
        status: state.status === 'disabled' ? 'disabled' : 'inactive',
        connection: state.connection === 'not_connected' ? 'not_connected' : 'needs_reconnect',
        ...NOT_RUN,
      };
    case 'connected':
      return { connection: 'connected', status: state.status === 'disabled' ? 'disabled' : 'inactive', ...NOT_RUN };
    case 'disconnected':
      if (state.connection === 'not_connected') refuse('This mailbox is not connected.');
      return { connection: 'not_connected', status: state.status === 'disabled' ? 'disabled' : 'inactive', ...NOT_RUN };
    case 'token_revoked':
      if (state.connection === 'not_connected') refuse('This mailbox is not connected.');
      return { connection: 'needs_reconnect', status: state.status === 'active' ? 'failing' : state.status };
    case 'disable':
      if (state.status === 'disabled') refuse('This mailbox is already disabled.');
      return { status: 'disabled' };
    case 'enable':
      if (state.status !== 'disabled') refuse('This mailbox is not disabled.');
      return { status: 'inactive', ...NOT_RUN };
  }
}

/** What a finished connection test found, per direction: `not_run` for a direction it did not test. */
export type TestResults = Pick<Mailbox, 'incomingStatus' | 'outgoingStatus'>;

export type TestTransition =
  | { outcome: 'activated'; patch: Patch }
  /** Every direction passed, but the mailbox may not be active (not approved, not connected, disabled). */
  | { outcome: 'not_activated'; patch: Patch; reason: string }
  | { outcome: 'failed'; patch: Patch };

/** Why a mailbox whose test passed may still not be active, or null when it may. */
function activationRefusal(state: MailboxState): string | null {
  if (state.approval !== 'approved') return 'Only an approved address can be activated: an admin approves it first.';
  if (state.connection !== 'connected') return 'Connect the mailbox before activating it.';
  if (state.status === 'disabled') return 'This mailbox is disabled: an admin enables it first.';
  return null;
}

/**
 * The fields a finished connection test writes: a pass activates what may be active; a pass that
 * may not activate keeps the status and records the results with the reason; a failure makes the
 * mailbox failing (a disabled one stays disabled) and records the results.
 */
export function transitionAfterTest(state: MailboxState, results: TestResults): TestTransition {
  if (results.incomingStatus === 'failure' || results.outgoingStatus === 'failure') {
    return { outcome: 'failed', patch: { status: state.status === 'disabled' ? 'disabled' : 'failing', ...results } };
  }
  const refusal = activationRefusal(state);
  if (refusal) return { outcome: 'not_activated', patch: { ...results }, reason: refusal };
  return {
    outcome: 'activated',
    patch: {
      status: 'active',
      incomingStatus: state.incoming === 'none' ? 'not_run' : 'success',
      outgoingStatus: state.outgoing === 'none' ? 'not_run' : 'success',
    },
  };
}

export type NextStep = {
  /** What the person looking at the mailbox should know or do now. */
  label: string;
  /** Who can take it. */
  actor: 'admin' | 'owner' | 'none';
  tone: 'neutral' | 'good' | 'bad' | 'warn';
};

export function connectLabel(profile: Pick<ServerProfile, 'serverType' | 'authType'>): string {
  if (profile.authType === 'password') return 'Enter the mailbox password';
  if (profile.serverType === 'gmail') return 'Connect to Gmail';
  if (profile.serverType === 'microsoft365') return 'Connect to Microsoft 365';
  return 'Connect';
}

/** The one next step for a mailbox, in the order Dynamics 365 asks for them. */
export function nextStep(
  state: Pick<Mailbox, 'approval' | 'connection' | 'status'>,
  profile: Pick<ServerProfile, 'serverType' | 'authType'>,
): NextStep {
  if (state.status === 'disabled') return { label: 'Disabled by an admin', actor: 'admin', tone: 'bad' };
  if (state.approval === 'rejected') return { label: 'Address rejected by an admin', actor: 'admin', tone: 'bad' };
  if (state.approval === 'pending') return { label: 'Waiting for approval', actor: 'admin', tone: 'warn' };
  if (state.connection === 'not_connected') return { label: connectLabel(profile), actor: 'owner', tone: 'neutral' };
  if (state.connection === 'needs_reconnect') return { label: `Reconnect: ${connectLabel(profile).toLowerCase()}`, actor: 'owner', tone: 'bad' };
  if (state.status === 'active') return { label: 'Active', actor: 'none', tone: 'good' };
  if (state.status === 'failing') return { label: 'Failing: test again once fixed', actor: 'owner', tone: 'bad' };
  return { label: 'Test and activate', actor: 'owner', tone: 'neutral' };
}
