import 'server-only';
import type { AuditEvent } from '@/db/schema';
import type { Locale } from '@/lib/i18n/locales';
import { hasMessage, phrase, renderText, type Phrase, type Text } from '@/lib/i18n/text';
import { problemTexts } from '@/lib/mailboxes/status';
import { findConnectionTests, renderConnectionTest, type ConnectionTestResult } from '@/lib/tester/connection-tests';
import type { RenderedTest } from '@/lib/tester/render-test';
import type { TokenStatusRow } from '@/lib/tokens/find-token-statuses';
import { findRefreshAttempts, type RefreshAttempt } from '@/lib/tokens/refresh-history';
import { auditLines, type AuditValue } from './audit-detail';
import { findAuditEvents } from './find-audit-events';

export type TimelineKind = 'connect' | 'refresh' | 'failure' | 'test' | 'approval' | 'move' | 'support' | 'change';

export type TimelineEntry = {
  at: string;
  kind: TimelineKind;
  title: Text;
  actor: Text;
  detail: Text | null;
  /** What to do next, for a failure that knows it. */
  hint?: Text;
  test?: ConnectionTestResult;
  /** For an audited event: its action and detail as recorded, which pages show in the viewer's words. */
  audit?: { action: string; detail: Record<string, unknown> };
};

/** An entry in one reader's language, as the API answers it. */
export type RenderedTimelineEntry = Omit<TimelineEntry, 'title' | 'actor' | 'detail' | 'hint' | 'test'> & {
  title: string;
  actor: string;
  detail: string | null;
  hint?: string;
  test?: RenderedTest<ConnectionTestResult>;
};

/** An entry in one reader's language, a test's steps and failures too. */
export function renderTimelineEntry({ title, actor, detail, hint, test, ...entry }: TimelineEntry, locale: Locale): RenderedTimelineEntry {
  const render = (text: Text) => renderText(text, locale);
  return {
    ...entry,
    ...(test ? { test: renderConnectionTest(test, locale) } : {}),
    title: render(title),
    actor: render(actor),
    detail: detail === null ? null : render(detail),
    ...(hint === undefined ? {} : { hint: render(hint) }),
  };
}

const ACTIONS: Record<string, { kind: TimelineKind; title: Phrase }> = {
  'mailbox.create': { kind: 'change', title: phrase('mailbox.timeline.entries.actions.create') },
  'mailbox.update': { kind: 'change', title: phrase('mailbox.timeline.entries.actions.update') },
  'mailbox.approve': { kind: 'approval', title: phrase('mailbox.timeline.entries.actions.approve') },
  'mailbox.reject': { kind: 'approval', title: phrase('mailbox.timeline.entries.actions.reject') },
  'mailbox.disable': { kind: 'change', title: phrase('mailbox.timeline.entries.actions.disable') },
  'mailbox.enable': { kind: 'change', title: phrase('mailbox.timeline.entries.actions.enable') },
  'mailbox.move': { kind: 'move', title: phrase('mailbox.timeline.entries.actions.move') },
  'mailbox.connect': { kind: 'connect', title: phrase('mailbox.timeline.entries.actions.connect') },
  'mailbox.disconnect': { kind: 'connect', title: phrase('mailbox.timeline.entries.actions.disconnect') },
  'mailbox.needs_reconnect': { kind: 'failure', title: phrase('mailbox.timeline.entries.actions.needsReconnect') },
  'mailbox.reconnect_link': { kind: 'support', title: phrase('mailbox.timeline.entries.actions.reconnectLink') },
  'mailbox.reconnect_link_used': { kind: 'support', title: phrase('mailbox.timeline.entries.actions.reconnectLinkUsed') },
  'mailbox.check': { kind: 'refresh', title: phrase('mailbox.timeline.entries.actions.check') },
};

/** A field's label in the reader's language where the messages name it, else its recorded name. */
function fieldText(field: string): Text {
  const key = `audit.fields.${field.replaceAll('.', '_')}`;
  return hasMessage(key) ? { key } : field;
}

/**
 * Audit details hold names, states and hints only (never a secret): said as "field: value" and
 * "field: before → after" lines, in the reader's language (the pages' AuditDetail also labels values).
 */
function describe(detail: Record<string, unknown>): Text | null {
  const shown = (value: AuditValue): Text => {
    if (typeof value === 'boolean') return phrase(value ? 'audit.values.yes' : 'audit.values.no');
    return Array.isArray(value) ? value.join(' ') : String(value ?? '—');
  };
  const lines = auditLines(detail).map((line): Phrase => {
    const value = ((): Text => {
      switch (line.kind) {
        case 'value':
          return shown(line.value);
        case 'change':
          return phrase('audit.change', { before: shown(line.before), after: shown(line.after) });
        case 'changed':
          return phrase('audit.values.changed');
        case 'secret':
          return phrase(`audit.values.secret.${line.state}`);
      }
    })();
    return phrase('audit.line', { field: fieldText(line.field), value });
  });
  if (lines.length === 0) return null;
  return lines.reduceRight((rest, line) => phrase('audit.lines', { first: line, rest }));
}

function fromEvent(event: AuditEvent): TimelineEntry | null {
  // Tests come from their own history, with their steps.
  if (event.action === 'mailbox.test') return null;
  const known: { kind: TimelineKind; title: Text } = ACTIONS[event.action] ?? { kind: 'change', title: event.action };
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
  const verdict = test.ok === null ? 'running' : test.ok ? (test.activated ? 'activated' : 'passed') : 'failed';
  const error = test.incoming.error ?? test.outgoing.error;
  const texts = error ? problemTexts(error) : null;
  return {
    at: test.startedAt,
    kind: test.ok === false ? 'failure' : 'test',
    title: phrase('mailbox.timeline.entries.test', { verdict }),
    actor: '',
    detail: texts?.message ?? null,
    hint: texts?.hint,
    test,
  };
}

/** The consent the grant records, and the refresh attempts kept for the mailbox. */
function fromGrant(status: TokenStatusRow, refreshes: RefreshAttempt[]): TimelineEntry[] {
  if (status.state === 'none') return [];
  const entries: TimelineEntry[] = [];
  if (status.consentedAt) {
    const account = status.account ?? phrase('mailbox.timeline.entries.unknownAccount');
    entries.push({
      at: status.consentedAt,
      kind: 'connect',
      title: phrase('mailbox.timeline.entries.connectedAs', { account }),
      actor: phrase('mailbox.timeline.entries.actors.ownerConsent'),
      detail: null,
    });
  }
  const system = phrase('mailbox.timeline.entries.actors.system');
  for (const refresh of refreshes) {
    const texts = refresh.error ? problemTexts(refresh.error) : null;
    entries.push(
      refresh.ok
        ? {
            at: refresh.at.toISOString(),
            kind: 'refresh',
            title: phrase('mailbox.timeline.entries.refreshed'),
            actor: system,
            detail: refresh.rotated ? phrase('mailbox.timeline.entries.rotated') : null,
          }
        : {
            at: refresh.at.toISOString(),
            kind: 'failure',
            title: phrase(refresh.error?.temporary ? 'mailbox.timeline.entries.refreshRetried' : 'mailbox.timeline.entries.refreshRefused'),
            actor: system,
            detail: texts?.message ?? null,
            hint: texts?.hint,
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
