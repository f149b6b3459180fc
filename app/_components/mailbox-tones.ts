import type { ConnectionShown, MailboxState } from '@/lib/mailboxes/status';
import type { Tone } from './status-badge';

/** What each state of a mailbox means at a glance, wherever it is shown. */
export const APPROVAL_TONES: Record<MailboxState['approval'], Tone> = { approved: 'success', pending: 'warning', rejected: 'failure' };
export const CONNECTION_TONES: Record<ConnectionShown, Tone> = {
  connected: 'success',
  not_connected: 'neutral',
  needs_reconnect: 'failure',
  credentials_refused: 'failure',
  refresh_failing: 'failure',
};
export const STATUS_TONES: Record<MailboxState['status'], Tone> = { active: 'success', inactive: 'neutral', failing: 'failure', disabled: 'neutral' };
export const TEST_TONES: Record<MailboxState['incomingStatus'], Tone> = { success: 'success', failure: 'failure', not_run: 'neutral' };
