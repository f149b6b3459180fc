import { describe, expect, it } from 'vitest';
import { nextStep, transition, transitionAfterTest, type MailboxState, type TestResults } from '@/lib/mailboxes/status';

const fresh: MailboxState = {
  approval: 'pending',
  connection: 'not_connected',
  status: 'inactive',
  incomingStatus: 'not_run',
  outgoingStatus: 'not_run',
  incoming: 'server_side',
  outgoing: 'server_side',
};
const gmail = { serverType: 'gmail', authType: 'oauth2_code' } as const;
const passed: TestResults = { incomingStatus: 'success', outgoingStatus: 'success' };

describe('mailbox status model', () => {
  it('walks the Dynamics 365 order of steps: approval, connect, test and activate', () => {
    expect(nextStep(fresh, gmail).label).toBe('Waiting for approval');
    const approved = { ...fresh, ...transition(fresh, 'approve') };
    expect(nextStep(approved, gmail).label).toBe('Connect to Gmail');
    expect(nextStep(approved, { serverType: 'microsoft365', authType: 'oauth2_device' }).label).toBe('Connect to Microsoft 365');
    expect(nextStep(approved, { serverType: 'custom', authType: 'password' }).label).toBe('Enter the mailbox password');
    const connected = { ...approved, ...transition(approved, 'connected') };
    expect(nextStep(connected, gmail).label).toBe('Test and activate');
    const active = { ...connected, ...transitionAfterTest(connected, passed).patch };
    expect(active).toMatchObject({ status: 'active', incomingStatus: 'success', outgoingStatus: 'success' });
    expect(nextStep(active, gmail)).toMatchObject({ label: 'Active', tone: 'good' });
  });

  it('does not activate an address that is not approved, or a mailbox not connected, and keeps the results and why', () => {
    expect(transitionAfterTest({ ...fresh, connection: 'connected' }, passed)).toEqual({
      outcome: 'not_activated',
      patch: passed,
      reason: expect.stringMatching(/Only an approved address/),
    });
    expect(transitionAfterTest({ ...fresh, approval: 'approved' }, passed)).toMatchObject({ reason: expect.stringMatching(/Connect the mailbox/) });
  });

  it('makes a mailbox failing on a failed test, with each direction’s result', () => {
    const active = { ...fresh, approval: 'approved', connection: 'connected', status: 'active', incomingStatus: 'success', outgoingStatus: 'success' } as const;
    expect(transitionAfterTest(active, { incomingStatus: 'success', outgoingStatus: 'failure' })).toEqual({
      outcome: 'failed',
      patch: { status: 'failing', incomingStatus: 'success', outgoingStatus: 'failure' },
    });
  });

  it('leaves a direction that does not sync as not run when activating', () => {
    const ready = { ...fresh, approval: 'approved', connection: 'connected', outgoing: 'none' } as const;
    expect(transitionAfterTest(ready, { incomingStatus: 'success', outgoingStatus: 'not_run' })).toEqual({
      outcome: 'activated',
      patch: { status: 'active', incomingStatus: 'success', outgoingStatus: 'not_run' },
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
    expect(transition(active, 'token_revoked')).toMatchObject({ connection: 'needs_reconnect', status: 'failing' });
    expect(() => transition(fresh, 'disconnected')).toThrow(/not connected/);
    expect(() => transition({ ...fresh, approval: 'approved' }, 'approve')).toThrow(/already approved/);
    expect(() => transition(fresh, 'enable')).toThrow(/not disabled/);
  });

  it('keeps a disabled mailbox disabled until an admin enables it', () => {
    const disabled = { ...fresh, ...transition(fresh, 'disable') };
    expect(transitionAfterTest(disabled, { incomingStatus: 'failure', outgoingStatus: 'failure' }).patch).toMatchObject({ status: 'disabled' });
    expect(transitionAfterTest({ ...disabled, approval: 'approved', connection: 'connected' }, passed)).toMatchObject({ outcome: 'not_activated', reason: expect.stringMatching(/disabled/) });
    expect(transition(disabled, 'connected')).toMatchObject({ status: 'disabled' });
    expect(nextStep(disabled, gmail).label).toBe('Disabled by an admin');
    expect(transition(disabled, 'enable')).toMatchObject({ status: 'inactive' });
  });
});
