import 'server-only';
import type { AuditEvent } from '@/db/schema';
import { findConnectionTests, type ConnectionTestResult } from '@/lib/tester/connection-tests';
import type { TokenStatusRow } from '@/lib/tokens/find-token-statuses';
import { findRefreshAttempts, type RefreshAttempt } from '@/lib/tokens/refresh-history';
import { auditLines, type AuditValue } from './audit-detail';
import { findAuditEvents } from './find-audit-events';

export type TimelineKind = 'connect' | 'refresh' | 'failure' | 'test' | 'approval' | 'move' | 'support' | 'change';

export type TimelineEntry = {
  at: string;
  kind: TimelineKind;
  title: string;
  actor: string;
  detail: string | null;
  /** What to do next, for a failure that knows it. */
  hint?: string;
  test?: ConnectionTestResult;
  /** For an audited event: its action and detail as recorded, which pages show in the viewer's words. */
  audit?: { action: string; detail: Record<string, unknown> };
};

const ACTIONS: Record<string, { kind: TimelineKind; title: string }> = {
  'mailbox.create': { kind: 'change', title: 'Mailbox added' },
  'mailbox.update': { kind: 'change', title: 'Mailbox changed' },
  'mailbox.approve': { kind: 'approval', title: 'Address approved' },
  'mailbox.reject': { kind: 'approval', title: 'Address rejected' },
  'mailbox.disable': { kind: 'change', title: 'Disabled' },
  'mailbox.enable': { kind: 'change', title: 'Enabled' },
  'mailbox.move': { kind: 'move', title: 'Moved to another profile' },
  'mailbox.connect': { kind: 'connect', title: 'Connected' },
  'mailbox.disconnect': { kind: 'connect', title: 'Disconnected' },
  'mailbox.needs_reconnect': { kind: 'failure', title: 'Token refused: needs reconnect' },
  'mailbox.reconnect_link': { kind: 'support', title: 'Reconnect link created' },
  'mailbox.reconnect_link_used': { kind: 'support', title: 'Reconnect link followed' },
  'mailbox.check': { kind: 'refresh', title: 'Token checked' },
};

/** Audit details hold names, states and hints only (never a secret): shown as "key: value" and "key: before → after". */
function describe(detail: Record<string, unknown>): string | null {
  const shown = (value: AuditValue) => (Array.isArray(value) ? value.join(' ') : String(value ?? '—'));
  const parts = auditLines(detail).map((line) => {
    switch (line.kind) {
      case 'value':
        return `${line.field}: ${shown(line.value)}`;
      case 'change':
        return `${line.field}: ${shown(line.before)} → ${shown(line.after)}`;
      case 'changed':
        return `${line.field}: changed`;
      case 'secret':
        return `${line.field}: ${line.state}`;
    }
  });
  return parts.length > 0 ? parts.join(' · ') : null;
}

function fromEvent(event: AuditEvent): TimelineEntry | null {
  // Tests come from their own history, with their steps.
  if (event.action === 'mailbox.test') return null;
  const known = ACTIONS[event.action] ?? { kind: 'change' as const, title: event.action };
  return {
    at: event.at.toISOString(),
    kind: known.kind,
    title: known.title,
    actor: event.actorLabel,
    detail: describe(event.detail),
    audit: { action: event.action, detail: event.detail },
  };
}

function fromTest(test: ConnectionTestResult): TimelineEntry {
  const verdict = test.ok === null ? 'running' : test.ok ? (test.activated ? 'passed, activated' : 'passed') : 'failed';
  const error = test.incoming.error ?? test.outgoing.error;
  return {
    at: test.startedAt,
    kind: test.ok === false ? 'failure' : 'test',
    title: `Test ${verdict}`,
    actor: '',
    detail: error?.message ?? null,
    hint: error?.hint,
    test,
  };
}

/** The consent the grant records, and the refresh attempts kept for the mailbox. */
function fromGrant(status: TokenStatusRow, refreshes: RefreshAttempt[]): TimelineEntry[] {
  if (status.state === 'none') return [];
  const entries: TimelineEntry[] = [];
  if (status.consentedAt) {
    entries.push({ at: status.consentedAt, kind: 'connect', title: `Connected as ${status.account ?? 'unknown'}`, actor: 'owner consent', detail: null });
  }
  for (const refresh of refreshes) {
    entries.push(
      refresh.ok
        ? { at: refresh.at.toISOString(), kind: 'refresh', title: 'Access token refreshed', actor: 'system', detail: refresh.rotated ? 'The provider rotated the refresh token.' : null }
        : {
            at: refresh.at.toISOString(),
            kind: 'failure',
            title: refresh.error?.temporary ? 'Refresh failed, to be retried' : 'Refresh refused',
            actor: 'system',
            detail: refresh.error?.message ?? null,
            hint: refresh.error?.hint,
          },
    );
  }
  return entries;
}

/**
 * A mailbox's story, newest first: audit events, connection tests with their steps, the consent, and
 * the last refresh attempts (kept in a bounded ring rather than audited one by one: they come hourly).
 */
export async function findMailboxTimeline({ status, limit = 200 }: { status: TokenStatusRow; limit?: number }): Promise<TimelineEntry[]> {
  const [{ events }, tests, refreshes] = await Promise.all([
    findAuditEvents({ mailboxId: status.mailboxId, limit }),
    findConnectionTests({ mailboxId: status.mailboxId, limit: 50 }),
    findRefreshAttempts(status.mailboxId),
  ]);
  const entries = [
    ...events.map(fromEvent).filter((entry): entry is TimelineEntry => entry !== null),
    ...tests.data.map(fromTest),
    ...fromGrant(status, refreshes),
  ];
  return entries.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
