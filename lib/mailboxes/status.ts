import type { Mailbox, ServerProfile, StoredError } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { FAILURE_CODES, type FailureCode } from '@/lib/tester/types';

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

export type Actor = 'owner' | 'admin';

type FailureCause = {
  /** Who removes the cause: the mailbox's owner, or an admin (the server profile, the mail system). */
  fixedBy: Actor | ((profile: Pick<ServerProfile, 'serverType'>) => Actor);
};

const ADMIN_SIDE: FailureCause = { fixedBy: 'admin' };

/**
 * Every class of test failure, by who fixes it. The hints that classifyFailure writes for each
 * class name the same person; a new class cannot be added without saying who fixes it.
 */
const FAILURE_CAUSES: Record<FailureCode, FailureCause> = {
  auth_failed: { fixedBy: 'owner' },
  token_revoked: { fixedBy: 'owner' },
  // The profile's scopes first; the owner's new consent then carries them.
  scope_missing: ADMIN_SIDE,
  client_refused: ADMIN_SIDE,
  // Gmail lets each user turn IMAP and POP on; elsewhere the mail system's administrators do.
  imap_disabled: { fixedBy: (profile) => (profile.serverType === 'gmail' ? 'owner' : 'admin') },
  // Unclear causes start with testing again, which the owner can do.
  unknown: { fixedBy: 'owner' },
  dns: ADMIN_SIDE,
  refused: ADMIN_SIDE,
  timeout: ADMIN_SIDE,
  tls: ADMIN_SIDE,
  blocked_address: ADMIN_SIDE,
  protocol_mismatch: ADMIN_SIDE,
  smtp_auth_disabled: ADMIN_SIDE,
  mailbox_missing: ADMIN_SIDE,
  send_as_denied: ADMIN_SIDE,
};

const isFailureCode = (code: string): code is FailureCode => (FAILURE_CODES as readonly string[]).includes(code);

/**
 * The cause behind a recorded reason, or null for a reason that is not a test's failure: the token
 * service's refusals of a grant (`invalid_grant`…), which the owner answers by connecting again,
 * and a passed test's `not_activated`.
 */
function causeOf(reason: Pick<StoredError, 'code'> | null): FailureCause | null {
  return reason && isFailureCode(reason.code) ? FAILURE_CAUSES[reason.code] : null;
}

/** Who removes the cause of a recorded reason; the owner when it is not a test's failure. */
export function failureActor(reason: Pick<StoredError, 'code'> | null, profile: Pick<ServerProfile, 'serverType'>): Actor {
  const fixedBy = causeOf(reason)?.fixedBy ?? 'owner';
  return typeof fixedBy === 'function' ? fixedBy(profile) : fixedBy;
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

/** The profile's side of where a mailbox stands. */
export type MailboxProfile = Pick<ServerProfile, 'serverType' | 'authType' | 'clientError' | 'clientSecretExpiresAt'>;

/** Whether the profile alone stops its mailboxes: the provider refuses its app, or its secret expired. */
export function profileBlocksMailboxes(profile: Pick<MailboxProfile, 'clientError' | 'clientSecretExpiresAt'>, now: Date): boolean {
  return profile.clientError !== null || (profile.clientSecretExpiresAt !== null && profile.clientSecretExpiresAt <= now);
}

export type NextStep = {
  /** What holds the mailbox now, for whatever else is said about it (the owner's alerts). */
  kind: 'disabled' | 'rejected' | 'pending' | 'profile' | 'not_connected' | 'needs_reconnect' | 'active' | 'failing' | 'untested';
  /** What the person looking at the mailbox should know or do now. */
  label: string;
  /** Who can take it. */
  actor: Actor | 'none';
  tone: 'neutral' | 'good' | 'bad' | 'warn';
};

export function connectLabel(profile: Pick<ServerProfile, 'serverType' | 'authType'>): string {
  if (profile.authType === 'password') return 'Enter the mailbox password';
  if (profile.serverType === 'gmail') return 'Connect to Gmail';
  if (profile.serverType === 'microsoft365') return 'Connect to Microsoft 365';
  return 'Connect';
}

/**
 * The one next step for a mailbox, in the order Dynamics 365 asks for them, and whose move it is:
 * the one place that decides it, from the status fields, for the mailbox page, the lists, the API
 * and the owner's alerts alike.
 */
export function nextStep(state: Pick<Mailbox, 'approval' | 'connection' | 'status' | 'statusReason'>, profile: MailboxProfile, now = new Date()): NextStep {
  if (state.status === 'disabled') return { kind: 'disabled', label: 'Disabled by an admin', actor: 'admin', tone: 'bad' };
  if (state.approval === 'rejected') return { kind: 'rejected', label: 'Address rejected by an admin', actor: 'admin', tone: 'bad' };
  if (state.approval === 'pending') return { kind: 'pending', label: 'Waiting for approval', actor: 'admin', tone: 'warn' };
  // Nothing the owner does helps, connecting included, until an admin fixes the profile.
  if (state.status !== 'active' && profileBlocksMailboxes(profile, now)) {
    return { kind: 'profile', label: 'Waiting for an admin to fix the server profile', actor: 'admin', tone: 'bad' };
  }
  if (state.connection === 'not_connected') return { kind: 'not_connected', label: connectLabel(profile), actor: 'owner', tone: 'neutral' };
  if (state.connection === 'needs_reconnect') {
    return { kind: 'needs_reconnect', label: `Reconnect: ${connectLabel(profile).toLowerCase()}`, actor: 'owner', tone: 'bad' };
  }
  if (state.status === 'active') return { kind: 'active', label: 'Active', actor: 'none', tone: 'good' };
  if (state.status === 'failing') {
    return failureActor(state.statusReason, profile) === 'admin'
      ? { kind: 'failing', label: 'Failing: waiting for an admin to fix it', actor: 'admin', tone: 'bad' }
      : { kind: 'failing', label: 'Failing: test again once fixed', actor: 'owner', tone: 'bad' };
  }
  return { kind: 'untested', label: 'Test and activate', actor: 'owner', tone: 'neutral' };
}

/**
 * The last error as a viewer reads it under “Where it stands”. Staff read the hint as the tester or
 * the provider wrote it; an owner reads it only when the fix is theirs, and otherwise that it is
 * an admin's, so a hint about the server profile never reads as the owner's task.
 */
export function statusReasonFor({
  mailbox,
  profile,
  audience,
  now = new Date(),
}: {
  mailbox: Pick<Mailbox, 'approval' | 'connection' | 'status' | 'statusReason'>;
  profile: MailboxProfile;
  audience: 'owner' | 'staff';
  now?: Date;
}): { message: string; hint: string } | null {
  const reason = mailbox.statusReason;
  if (!reason) return null;
  if (audience === 'staff') return { message: reason.message, hint: reason.hint };
  if (nextStep(mailbox, profile, now).kind === 'profile') {
    return {
      message: reason.message,
      hint: 'This is not caused by your mailbox: the server profile it uses needs an admin’s fix, and reconnecting will not help. Your admins see it on their dashboard; there is nothing for you to do.',
    };
  }
  if (failureActor(reason, profile) === 'admin') {
    return {
      message: reason.message,
      hint: 'This is for an admin to fix, not you: it lies with the server profile or the mail system, which only admins change. Your admins see this mailbox on their dashboard and test it again once it is fixed; there is nothing for you to do.',
    };
  }
  return { message: reason.message, hint: reason.hint };
}
