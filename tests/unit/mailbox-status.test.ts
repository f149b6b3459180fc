import { describe, expect, it } from 'vitest';
import {
  nextStep,
  statusReasonFor,
  transition,
  transitionAfterTest,
  transitionAfterTokenRefusal,
  type MailboxProfile,
  type MailboxState,
  type TestResults,
} from '@/lib/mailboxes/status';
import { renderText } from '@/lib/i18n/text';

/** The next step and the reason as an English reader sees them. */
const step = (...args: Parameters<typeof nextStep>) => {
  const decided = nextStep(...args);
  return { ...decided, label: renderText(decided.label, 'en') };
};
const reasonFor = (...args: Parameters<typeof statusReasonFor>) => {
  const reason = statusReasonFor(...args);
  return reason && { message: renderText(reason.message, 'en'), hint: renderText(reason.hint, 'en') };
};

const fresh: MailboxState = {
  approval: 'pending',
  connection: 'not_connected',
  status: 'inactive',
  incomingStatus: 'not_run',
  outgoingStatus: 'not_run',
  incoming: 'server_side',
  outgoing: 'server_side',
  statusReason: null,
  failingSince: null,
};
const profileFacts = { clientError: null, clientSecretExpiresAt: null };
const gmail: MailboxProfile = { serverType: 'gmail', authType: 'oauth2_code', ...profileFacts };
const NOW = new Date('2030-06-15T12:00:00Z');
const notRun = { incomingStatus: 'not_run', outgoingStatus: 'not_run' } as const;
const passed = { results: { incomingStatus: 'success', outgoingStatus: 'success' } satisfies TestResults, failure: null, finishedAt: NOW };

describe('mailbox status model', () => {
  it('walks the Dynamics 365 order of steps: approval, connect, test and activate', () => {
    expect(step(fresh, gmail).label).toBe('Waiting for approval');
    const approved = { ...fresh, ...transition(fresh, 'approve') };
    expect(step(approved, gmail).label).toBe('Connect to Gmail');
    expect(step(approved, { serverType: 'microsoft365', authType: 'oauth2_device', ...profileFacts }).label).toBe('Connect to Microsoft 365');
    expect(step(approved, { serverType: 'custom', authType: 'password', ...profileFacts }).label).toBe('Enter the mailbox password');
    const connected = { ...approved, ...transition(approved, 'connected') };
    expect(step(connected, gmail).label).toBe('Test and activate');
    const active = { ...connected, ...transitionAfterTest(connected, passed).patch };
    expect(active).toMatchObject({ status: 'active', incomingStatus: 'success', outgoingStatus: 'success' });
    expect(step(active, gmail)).toMatchObject({ label: 'Active', tone: 'good' });
  });

  it('does not activate an address that is not approved, or a mailbox not connected, and keeps the results and why', () => {
    expect(transitionAfterTest({ ...fresh, connection: 'connected' }, passed)).toEqual({
      outcome: 'not_activated',
      patch: {
        ...passed.results,
        statusReason: {
          code: 'not_activated',
          message: expect.stringMatching(/^The test passed, but .*Only an approved address/),
          hint: '',
          at: NOW.toISOString(),
          // Stored with its words' key, so that each reader reads it in their own language.
          key: 'mailbox.reasons.notActivated',
          values: { why: { key: 'mailbox.activationRefusals.notApproved' } },
        },
        failingSince: null,
      },
    });
    expect(transitionAfterTest({ ...fresh, approval: 'approved' }, passed)).toMatchObject({ patch: { statusReason: { message: expect.stringMatching(/Connect the mailbox/) } } });
  });

  it('makes a mailbox failing on a failed test, with each direction’s result', () => {
    const active = { ...fresh, approval: 'approved', connection: 'connected', status: 'active', incomingStatus: 'success', outgoingStatus: 'success' } as const;
    const failure = { code: 'tls', message: 'The certificate of smtp.example.org:465 has expired.', hint: 'The mail server’s administrator renews its certificate.' };
    expect(transitionAfterTest(active, { results: { incomingStatus: 'success', outgoingStatus: 'failure' }, failure, finishedAt: NOW })).toEqual({
      outcome: 'failed',
      patch: { status: 'failing', incomingStatus: 'success', outgoingStatus: 'failure', statusReason: { ...failure, at: NOW.toISOString() }, failingSince: NOW },
    });
  });

  it('leaves a direction that does not sync as not run when activating', () => {
    const ready = { ...fresh, approval: 'approved', connection: 'connected', outgoing: 'none' } as const;
    expect(transitionAfterTest(ready, { results: { incomingStatus: 'success', outgoingStatus: 'not_run' }, failure: null, finishedAt: NOW })).toEqual({
      outcome: 'activated',
      patch: { status: 'active', incomingStatus: 'success', outgoingStatus: 'not_run', statusReason: null, failingSince: null },
    });
  });

  it('sends a connected mailbox back to reconnect when it moves profile or changes address', () => {
    const active = { ...fresh, approval: 'approved', connection: 'connected', status: 'active', incomingStatus: 'success' } as const;
    expect(transition(active, 'moved')).toMatchObject({ connection: 'needs_reconnect', status: 'inactive', incomingStatus: 'not_run' });
    expect(transition(active, 'address_changed')).toMatchObject({ approval: 'pending', connection: 'needs_reconnect' });
    expect(transition(fresh, 'moved')).toMatchObject({ connection: 'not_connected' });
  });

  it('marks an active mailbox failing when its token is revoked, and refuses events that make no sense', () => {
    const active = { ...fresh, approval: 'approved', connection: 'connected', status: 'active' } as const;
    const refusal = { code: 'invalid_grant', message: 'The provider no longer accepts this mailbox’s authorization.', hint: 'The owner connects the mailbox again.', at: NOW.toISOString() };
    expect(transitionAfterTokenRefusal(active, refusal)).toEqual({ connection: 'needs_reconnect', status: 'failing', statusReason: refusal, failingSince: NOW });
    expect(() => transition(fresh, 'disconnected')).toThrow(/not connected/);
    expect(() => transition({ ...fresh, approval: 'approved' }, 'approve')).toThrow(/already approved/);
    expect(() => transition(fresh, 'enable')).toThrow(/not disabled/);
  });

  it('keeps a disabled mailbox disabled until an admin enables it', () => {
    const disabled = { ...fresh, ...transition(fresh, 'disable') };
    const failed = { results: { incomingStatus: 'failure', outgoingStatus: 'failure' }, failure: null, finishedAt: NOW } as const;
    expect(transitionAfterTest(disabled, failed).patch).toMatchObject({ status: 'disabled', failingSince: null });
    expect(transitionAfterTest({ ...disabled, approval: 'approved', connection: 'connected' }, passed)).toMatchObject({
      outcome: 'not_activated',
      patch: { statusReason: { message: expect.stringMatching(/disabled/) } },
    });
    expect(transition(disabled, 'connected')).toMatchObject({ status: 'disabled' });
    expect(step(disabled, gmail).label).toBe('Disabled by an admin');
    expect(transition(disabled, 'enable')).toMatchObject({ status: 'inactive' });
  });
});

const failingWith = (code: string, hint = 'The hint as classified.') =>
  ({
    ...fresh,
    approval: 'approved',
    connection: 'connected',
    status: 'failing',
    incomingStatus: 'failure',
    outgoingStatus: 'success',
    statusReason: { code, message: 'What the test found.', hint, at: NOW.toISOString() },
    failingSince: new Date(NOW.getTime() - 2 * 24 * 3600 * 1000),
  }) satisfies MailboxState;

const passwordProfile: MailboxProfile = { serverType: 'custom', authType: 'password', ...profileFacts };
const refusedGmail: MailboxProfile = {
  ...gmail,
  clientError: { code: 'invalid_client', message: 'The provider refused the profile’s OAuth app (invalid_client).', hint: 'Check the client id and client secret in the server profile.', at: NOW.toISOString() },
};

describe('whose move it is', () => {
  it('leaves a failure the owner can fix with the owner, and one of the server or the profile with an admin', () => {
    expect(step(failingWith('auth_failed'), passwordProfile, NOW)).toEqual({ kind: 'failing', label: 'Failing: test again once fixed', actor: 'owner', tone: 'bad' });
    expect(step(failingWith('unknown'), gmail, NOW).actor).toBe('owner');
    for (const code of ['tls', 'blocked_address', 'dns', 'timeout', 'client_refused', 'send_as_denied', 'protocol_mismatch', 'smtp_auth_disabled', 'scope_missing']) {
      expect(step(failingWith(code), gmail, NOW), code).toEqual({ kind: 'failing', label: 'Failing: waiting for an admin to fix it', actor: 'admin', tone: 'bad' });
    }
    // Gmail users turn IMAP on themselves; on Microsoft 365 an Exchange admin does.
    expect(step(failingWith('imap_disabled'), gmail, NOW).actor).toBe('owner');
    expect(step(failingWith('imap_disabled'), { ...gmail, serverType: 'microsoft365' }, NOW).actor).toBe('admin');
  });

  it('gives a refused or expired profile to an admin before anything the owner could do, but not an active mailbox', () => {
    const waiting = { kind: 'profile', label: 'Waiting for an admin to fix the server profile', actor: 'admin', tone: 'bad' };
    expect(step(failingWith('auth_failed'), refusedGmail, NOW)).toEqual(waiting);
    expect(step({ ...failingWith('invalid_grant'), connection: 'needs_reconnect' }, refusedGmail, NOW)).toEqual(waiting);
    expect(step({ ...fresh, approval: 'approved' }, refusedGmail, NOW)).toEqual(waiting);
    const expired = { ...gmail, clientSecretExpiresAt: new Date(NOW.getTime() - 1000) };
    expect(step(failingWith('auth_failed'), expired, NOW)).toEqual(waiting);
    expect(step(failingWith('auth_failed'), { ...expired, clientSecretExpiresAt: new Date(NOW.getTime() + 1000) }, NOW).kind).toBe('failing');
    expect(step({ ...failingWith('auth_failed'), status: 'active', statusReason: null }, refusedGmail, NOW).kind).toBe('active');
    // Approval and disabling stay first: they are an admin's whatever the profile.
    expect(step({ ...failingWith('auth_failed'), approval: 'pending' }, refusedGmail, NOW).kind).toBe('pending');
  });

  it('tells the owner of a mailbox on a refused profile that it is an admin’s, and shows staff the hint as written', () => {
    // The reason a test recorded before the refusal had its own class: the profile decides.
    const mailbox = failingWith('auth_failed', 'Check the client id and client secret in the server profile.');
    const owner = reasonFor({ mailbox, profile: refusedGmail, audience: 'owner', now: NOW });
    expect(owner!.hint).toMatch(/^This is not caused by your mailbox: the server profile it uses needs an admin’s fix, and reconnecting will not help/);
    expect(owner!.hint).not.toMatch(/client secret/);
    expect(reasonFor({ mailbox, profile: refusedGmail, audience: 'staff', now: NOW })!.hint).toBe('Check the client id and client secret in the server profile.');
  });

  it('shows the owner a hint only when the fix is theirs', () => {
    const password = failingWith('auth_failed', 'The owner enters the current password again; accounts with 2-step verification (Gmail, Microsoft) need an app password.');
    expect(reasonFor({ mailbox: password, profile: passwordProfile, audience: 'owner', now: NOW })!.hint).toMatch(/app password/);
    const blocked = failingWith('blocked_address', 'The tester never connects to link-local addresses; for a server on your own network, an admin marks the profile as an internal server.');
    const forOwner = reasonFor({ mailbox: blocked, profile: passwordProfile, audience: 'owner', now: NOW })!;
    expect(forOwner).toEqual({ message: 'What the test found.', hint: expect.stringMatching(/^This is for an admin to fix, not you/) });
    expect(reasonFor({ mailbox: { ...fresh, approval: 'approved' }, profile: gmail, audience: 'owner', now: NOW })).toBeNull();
  });
});

describe('failingSince', () => {
  const connected = { ...fresh, approval: 'approved', connection: 'connected', status: 'active' } satisfies MailboxState;

  it('ends when a reconnect answers a refused grant or a refused password', () => {
    const refusal = { code: 'invalid_grant', message: 'Refused.', hint: 'The owner connects the mailbox again.', at: NOW.toISOString() };
    const revoked = { ...connected, ...transitionAfterTokenRefusal(connected, refusal) };
    expect(revoked).toMatchObject({ status: 'failing', failingSince: NOW });
    expect(transition(revoked, 'connected')).toEqual({ connection: 'connected', status: 'inactive', ...notRun, statusReason: null, failingSince: null });
    for (const code of ['auth_failed', 'token_revoked', 'client_refused', 'scope_missing']) {
      expect(transition(failingWith(code), 'connected'), code).toMatchObject({ status: 'inactive', statusReason: null, failingSince: null });
    }
  });

  it('outlasts a reconnect when the server or the profile’s settings are the cause: the mailbox stays failing as it was', () => {
    for (const code of ['tls', 'blocked_address', 'imap_disabled', 'unknown']) {
      expect(transition(failingWith(code), 'connected'), code).toEqual({ connection: 'connected' });
    }
  });

  it('keeps the first moment through later failures, and ends with a passing test even when the mailbox may not activate', () => {
    const failing = failingWith('tls');
    const again = transitionAfterTest(failing, { results: { incomingStatus: 'failure', outgoingStatus: 'success' }, failure: { code: 'auth_failed', message: 'm', hint: 'h' }, finishedAt: NOW });
    expect(again.patch).toMatchObject({ failingSince: failing.failingSince, statusReason: { code: 'auth_failed' } });
    expect(transitionAfterTest(failing, passed)).toMatchObject({ outcome: 'activated', patch: { failingSince: null, statusReason: null } });
    expect(transitionAfterTest({ ...failing, approval: 'pending' }, passed)).toMatchObject({
      outcome: 'not_activated',
      patch: { status: 'inactive', failingSince: null, statusReason: { code: 'not_activated' } },
    });
  });

  it('ends with a disconnect or a move, and outlasts an admin’s decisions', () => {
    const failing = failingWith('tls');
    expect(transition(failing, 'disconnected')).toMatchObject({ statusReason: null, failingSince: null });
    expect(transition(failing, 'moved')).toMatchObject({ statusReason: null, failingSince: null });
    for (const event of ['reject', 'disable'] as const) expect(transition(failing, event), event).not.toHaveProperty('failingSince');
    expect(transition({ ...failing, status: 'disabled' }, 'enable')).not.toHaveProperty('failingSince');
  });
});
