import type { Mailbox, ServerProfile, StoredError } from '@/db/schema';
import { AppError, problemOf, type Problem } from '@/lib/errors';
import { hasMessage, phrase, type Phrase, type Text } from '@/lib/i18n/text';
import { PROVIDERS } from '@/lib/providers';
import { connectMessageKey } from './status-messages';

/** Why a test direction failed, as the tester classifies it; each class says below who fixes it. */
export const FAILURE_CODES = [
  'dns',
  'refused',
  'timeout',
  'tls',
  'certificate_untrusted',
  'certificate_mismatch',
  'auth_failed',
  'token_revoked',
  'scope_missing',
  'client_refused',
  'secret_unreadable',
  'protocol_mismatch',
  'send_as_denied',
  'smtp_auth_disabled',
  'imap_disabled',
  'mailbox_missing',
  'blocked_address',
  'api_access_denied',
  'api_disabled',
  'throttled',
  'unknown',
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

/** The parts of a mailbox that say where it stands. */
export type MailboxState = Pick<
  Mailbox,
  'approval' | 'connection' | 'status' | 'incomingStatus' | 'outgoingStatus' | 'incoming' | 'outgoing' | 'statusReason' | 'failingSince'
>;

export type MailboxEvent =
  | 'approve'
  | 'reject'
  | 'address_changed'
  | 'moved'
  | 'connected'
  | 'disconnected'
  | 'disable'
  | 'enable';

type Patch = Partial<Pick<Mailbox, 'approval' | 'connection' | 'status' | 'incomingStatus' | 'outgoingStatus' | 'statusReason' | 'failingSince'>>;

const NOT_RUN: Patch = { incomingStatus: 'not_run', outgoingStatus: 'not_run' };
const NO_FAILURE: Patch = { statusReason: null, failingSince: null };

function refuse(why: Phrase): never {
  throw new AppError('CONFLICT', why);
}

/** A reason to store on a mailbox: its English for logs and older readers, its phrase for everyone else. */
export function storedReason(code: string, text: Phrase, at: Date): StoredError {
  return { hint: '', ...problemOf(code, text), at: at.toISOString() };
}

/**
 * The message and hint of a problem as people read them: its phrases when the messages hold its key,
 * else the English it was stored with (a row written before its words had keys).
 */
export function problemTexts(problem: Problem): { message: Text; hint: Text } {
  const { key, values } = problem;
  const part = (name: 'message' | 'hint', stored: string): Text =>
    key && hasMessage(`${key}.${name}`) ? { key: `${key}.${name}`, ...(values ? { values } : {}) } : stored;
  return { message: part('message', problem.message), hint: part('hint', problem.hint ?? '') };
}

export type ResponsibleRole = 'owner' | 'admin';

type FailureCause = {
  /** Who removes the cause: the mailbox's owner, or an admin (the server profile, the mail system). */
  fixedBy: ResponsibleRole | ((profile: Pick<ServerProfile, 'serverType'>) => ResponsibleRole);
  /** A new sign-in or password removes the cause, so the failure ends with it. */
  endedByConnecting: boolean;
};

const ADMIN_SIDE: FailureCause = { fixedBy: 'admin', endedByConnecting: false };

/**
 * Every class of test failure, by who fixes it. The hints that classifyFailure writes for each
 * class name the same person; a new class cannot be added without saying who fixes it.
 */
const FAILURE_CAUSES: Record<FailureCode, FailureCause> = {
  auth_failed: { fixedBy: 'owner', endedByConnecting: true },
  token_revoked: { fixedBy: 'owner', endedByConnecting: true },
  // The profile's scopes first; the owner's new consent is then checked for them when connecting.
  scope_missing: { fixedBy: 'admin', endedByConnecting: true },
  // A sign-in that completes is the provider accepting the profile's app again.
  client_refused: { fixedBy: 'admin', endedByConnecting: true },
  // The stored token or password cannot be decrypted (altered, or copied from another mailbox): a new one replaces it.
  secret_unreadable: { fixedBy: 'owner', endedByConnecting: true },
  // Gmail lets each user turn IMAP and POP on; elsewhere the mail system's administrators do.
  imap_disabled: { fixedBy: (profile) => (PROVIDERS[profile.serverType].ownerMailSwitch ? 'owner' : 'admin'), endedByConnecting: false },
  // Unclear causes start with testing again, which the owner can do.
  unknown: { fixedBy: 'owner', endedByConnecting: false },
  // The provider asked to wait longer than a test can: testing again later is all it takes.
  throttled: { fixedBy: 'owner', endedByConnecting: false },
  dns: ADMIN_SIDE,
  refused: ADMIN_SIDE,
  timeout: ADMIN_SIDE,
  tls: ADMIN_SIDE,
  certificate_untrusted: ADMIN_SIDE,
  certificate_mismatch: ADMIN_SIDE,
  blocked_address: ADMIN_SIDE,
  protocol_mismatch: ADMIN_SIDE,
  smtp_auth_disabled: ADMIN_SIDE,
  mailbox_missing: ADMIN_SIDE,
  send_as_denied: ADMIN_SIDE,
  // A tenant's or domain's policy, or a shared mailbox's Full Access, keeps the token out of the mailbox.
  api_access_denied: ADMIN_SIDE,
  // The web API is off: for the client's Google Cloud project, for the account's Gmail service, or for a mailbox Graph cannot serve.
  api_disabled: ADMIN_SIDE,
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
export function whoFixesFailure(reason: Pick<StoredError, 'code'> | null, profile: Pick<ServerProfile, 'serverType'>): ResponsibleRole {
  const fixedBy = causeOf(reason)?.fixedBy ?? 'owner';
  return typeof fixedBy === 'function' ? fixedBy(profile) : fixedBy;
}

const keepDisabled = (state: MailboxState, status: Mailbox['status']): Mailbox['status'] => (state.status === 'disabled' ? 'disabled' : status);

/**
 * The one place that knows how a mailbox may move between states. Each event either gives the
 * fields to write or is refused with the reason, never silently applied. A finished connection
 * test, which brings results with it, goes through `transitionAfterTest`; a refused grant through
 * `transitionAfterTokenRefusal`.
 *
 * `failingSince` stays set while the cause of the failure holds: a passing test ends it, and so do
 * the events that remove its cause (a new connection after a refused sign-in, a move to another
 * profile, a new address, a disconnect). An admin's decision (approve, reject, disable, enable)
 * fixes no cause and leaves it.
 */
export function transition(state: MailboxState, event: MailboxEvent): Patch {
  switch (event) {
    case 'approve':
      if (state.approval === 'approved') refuse(phrase('mailbox.problems.alreadyApproved'));
      return { approval: 'approved' };
    case 'reject':
      if (state.approval === 'rejected') refuse(phrase('mailbox.problems.alreadyRejected'));
      // A rejected address may not sync: an active mailbox stops.
      return { approval: 'rejected', status: keepDisabled(state, 'inactive') };
    case 'address_changed':
      // A new address needs a new approval and a new test, and the old grant was for the old address.
      return {
        approval: 'pending',
        status: keepDisabled(state, 'inactive'),
        connection: state.connection === 'not_connected' ? 'not_connected' : 'needs_reconnect',
        ...NOT_RUN,
        ...NO_FAILURE,
      };
    case 'moved':
      // The grant belonged to the old profile's OAuth app, and the failure to the old profile's servers.
      return {
        status: keepDisabled(state, 'inactive'),
        connection: state.connection === 'not_connected' ? 'not_connected' : 'needs_reconnect',
        ...NOT_RUN,
        ...NO_FAILURE,
      };
    case 'connected':
      // A failure of the server or the profile's settings outlasts a new sign-in: the mailbox stays failing as it was.
      if (causeOf(state.statusReason)?.endedByConnecting === false) return { connection: 'connected' };
      return { connection: 'connected', status: keepDisabled(state, 'inactive'), ...NOT_RUN, ...NO_FAILURE };
    case 'disconnected':
      if (state.connection === 'not_connected') refuse(phrase('mailbox.problems.notConnected'));
      return { connection: 'not_connected', status: keepDisabled(state, 'inactive'), ...NOT_RUN, ...NO_FAILURE };
    case 'disable':
      if (state.status === 'disabled') refuse(phrase('mailbox.problems.alreadyDisabled'));
      return { status: 'disabled' };
    case 'enable':
      if (state.status !== 'disabled') refuse(phrase('mailbox.problems.notDisabled'));
      return { status: 'inactive', ...NOT_RUN };
  }
}

/**
 * The fields a final refusal of the mailbox's grant writes (the provider no longer honours it): the
 * owner reconnects, and an active mailbox fails from the moment the refusal was recorded.
 */
export function transitionAfterTokenRefusal(state: MailboxState, reason: StoredError): Patch {
  if (state.connection === 'not_connected') refuse(phrase('mailbox.problems.notConnected'));
  return {
    connection: 'needs_reconnect',
    status: state.status === 'active' ? 'failing' : state.status,
    statusReason: reason,
    failingSince: state.failingSince ?? new Date(reason.at),
  };
}

/** What a finished connection test found, per direction: `not_run` for a direction it did not test. */
export type TestResults = Pick<Mailbox, 'incomingStatus' | 'outgoingStatus'>;

export type FinishedTest = {
  results: TestResults;
  /** The first failure, when a direction failed. */
  failure: Omit<StoredError, 'at'> | null;
  finishedAt: Date;
};

export type TestTransition =
  | { outcome: 'activated'; patch: Patch }
  /** Every direction passed, but the mailbox may not be active (not approved, not connected, disabled): the reason says why. */
  | { outcome: 'not_activated'; patch: Patch }
  | { outcome: 'failed'; patch: Patch };

/** Why a mailbox whose test passed may still not be active, or null when it may. */
function activationRefusal(state: MailboxState): Phrase | null {
  if (state.approval !== 'approved') return phrase('mailbox.activationRefusals.notApproved');
  if (state.connection !== 'connected') return phrase('mailbox.activationRefusals.notConnected');
  if (state.status === 'disabled') return phrase('mailbox.activationRefusals.disabled');
  return null;
}

/**
 * The fields a finished connection test writes: a pass activates what may be active; a pass that
 * may not activate records the results with the reason; a failure makes the mailbox failing (a
 * disabled one stays disabled) and records the results and the first failure. A pass, activated or
 * not, ends a failure.
 */
export function transitionAfterTest(state: MailboxState, { results, failure, finishedAt }: FinishedTest): TestTransition {
  if (results.incomingStatus === 'failure' || results.outgoingStatus === 'failure') {
    const status = keepDisabled(state, 'failing');
    return {
      outcome: 'failed',
      patch: {
        status,
        ...results,
        statusReason: failure ? { ...failure, at: finishedAt.toISOString() } : null,
        failingSince: status === 'failing' ? (state.failingSince ?? finishedAt) : state.failingSince,
      },
    };
  }
  const refusal = activationRefusal(state);
  if (refusal) {
    const reason = storedReason('not_activated', phrase('mailbox.reasons.notActivated', { why: refusal }), finishedAt);
    return {
      outcome: 'not_activated',
      patch: { ...results, ...(state.status === 'failing' ? { status: 'inactive' } : {}), statusReason: reason, failingSince: null },
    };
  }
  return {
    outcome: 'activated',
    patch: {
      status: 'active',
      incomingStatus: state.incoming === 'none' ? 'not_run' : 'success',
      outgoingStatus: state.outgoing === 'none' ? 'not_run' : 'success',
      ...NO_FAILURE,
    },
  };
}

/** Failures that say the stored password or token itself was refused: such a mailbox is not really connected. */
const CREDENTIALS_REFUSED: ReadonlySet<string> = new Set<FailureCode>(['auth_failed', 'token_revoked', 'secret_unreadable']);

/** What the mailbox's grant says beyond the connection column: refused for good, or failing to refresh. */
export type GrantProblem = 'revoked' | 'refresh_failing' | null;

/** The connection as pages show it: "connected" only while nothing says the credentials no longer work. */
export type ConnectionShown = Mailbox['connection'] | 'credentials_refused' | 'refresh_failing';

/** Whether a recorded reason says the mailbox's own password or token was refused: a cause of its own, whatever else fails. */
export function credentialsRefused(reason: Pick<StoredError, 'code'> | null): boolean {
  return reason !== null && CREDENTIALS_REFUSED.has(reason.code);
}

export function connectionShown(mailbox: Pick<Mailbox, 'connection' | 'statusReason'>, grant: GrantProblem): ConnectionShown {
  if (mailbox.connection !== 'connected') return mailbox.connection;
  if (grant === 'revoked') return 'needs_reconnect';
  if (credentialsRefused(mailbox.statusReason)) return 'credentials_refused';
  if (grant === 'refresh_failing') return 'refresh_failing';
  return 'connected';
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
  label: Phrase;
  /** Who can take it. */
  actor: ResponsibleRole | 'none';
  tone: 'neutral' | 'good' | 'bad' | 'warn';
};

/** The button that connects a mailbox of this profile (`status.connect.*`). */
export function connectLabel(profile: Pick<ServerProfile, 'serverType' | 'authType'>): Phrase {
  return phrase(`status.connect.${connectMessageKey(profile)}`);
}

/**
 * The one next step for a mailbox, in the order Dynamics 365 asks for them, and whose move it is:
 * the one place that decides it, from the status fields, for the mailbox page, the lists, the API
 * and the owner's alerts alike.
 */
export function nextStep(state: Pick<Mailbox, 'approval' | 'connection' | 'status' | 'statusReason'>, profile: MailboxProfile, now = new Date()): NextStep {
  if (state.status === 'disabled') return { kind: 'disabled', label: phrase('status.nextStep.disabled'), actor: 'admin', tone: 'bad' };
  if (state.approval === 'rejected') return { kind: 'rejected', label: phrase('status.nextStep.rejected'), actor: 'admin', tone: 'bad' };
  if (state.approval === 'pending') return { kind: 'pending', label: phrase('status.nextStep.pending'), actor: 'admin', tone: 'warn' };
  // Nothing the owner does helps, connecting included, until an admin fixes the profile.
  if (state.status !== 'active' && profileBlocksMailboxes(profile, now)) {
    return { kind: 'profile', label: phrase('status.nextStep.profile'), actor: 'admin', tone: 'bad' };
  }
  if (state.connection === 'not_connected') {
    return { kind: 'not_connected', label: phrase('status.nextStep.connect', { action: connectLabel(profile) }), actor: 'owner', tone: 'neutral' };
  }
  if (state.connection === 'needs_reconnect') {
    // "Reconnect: connect to Gmail": the button's words read on inside the sentence.
    const action = phrase(`status.connectInline.${connectMessageKey(profile)}`);
    return { kind: 'needs_reconnect', label: phrase('status.nextStep.reconnect', { action }), actor: 'owner', tone: 'bad' };
  }
  if (state.status === 'active') return { kind: 'active', label: phrase('status.nextStep.active'), actor: 'none', tone: 'good' };
  if (state.status === 'failing') {
    return whoFixesFailure(state.statusReason, profile) === 'admin'
      ? { kind: 'failing', label: phrase('status.nextStep.failingForAdmin'), actor: 'admin', tone: 'bad' }
      : { kind: 'failing', label: phrase('status.nextStep.failingForOwner'), actor: 'owner', tone: 'bad' };
  }
  return { kind: 'untested', label: phrase('status.nextStep.untested'), actor: 'owner', tone: 'neutral' };
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
}): { message: Text; hint: Text } | null {
  const reason = mailbox.statusReason;
  if (!reason) return null;
  const texts = problemTexts(reason);
  if (audience === 'staff') return texts;
  if (nextStep(mailbox, profile, now).kind === 'profile') return { message: texts.message, hint: phrase('mailbox.reasons.ownerHints.profile') };
  if (whoFixesFailure(reason, profile) === 'admin') return { message: texts.message, hint: phrase('mailbox.reasons.ownerHints.admin') };
  return texts;
}
