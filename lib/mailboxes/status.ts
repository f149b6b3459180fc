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
  | 'test_passed'
  | 'test_failed'
  | 'disable'
  | 'enable';

type Patch = Partial<Pick<Mailbox, 'approval' | 'connection' | 'status' | 'incomingStatus' | 'outgoingStatus'>>;

const NOT_RUN: Patch = { incomingStatus: 'not_run', outgoingStatus: 'not_run' };

/**
 * The one place that knows how a mailbox may move between states. Each event either gives the
 * fields to write or is refused with the reason, never silently applied.
 */
export function transition(state: MailboxState, event: MailboxEvent): Patch {
  const refuse = (why: string): never => {
    throw new AppError('CONFLICT', why);
  };
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
    case 'test_passed':
      if (state.approval !== 'approved') refuse('Only an approved address can be activated: an admin approves it first.');
      if (state.connection !== 'connected') refuse('Connect the mailbox before activating it.');
      if (state.status === 'disabled') refuse('This mailbox is disabled: an admin enables it first.');
      return {
        status: 'active',
        incomingStatus: state.incoming === 'none' ? 'not_run' : 'success',
        outgoingStatus: state.outgoing === 'none' ? 'not_run' : 'success',
      };
    case 'test_failed':
      return { status: state.status === 'disabled' ? 'disabled' : 'failing' };
    case 'disable':
      if (state.status === 'disabled') refuse('This mailbox is already disabled.');
      return { status: 'disabled' };
    case 'enable':
      if (state.status !== 'disabled') refuse('This mailbox is not disabled.');
      return { status: 'inactive', ...NOT_RUN };
  }
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
