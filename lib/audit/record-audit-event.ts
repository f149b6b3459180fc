import 'server-only';
import { sql } from 'drizzle-orm';
import type { Executor } from '@/db';
import { auditEvents } from '@/db/schema';
import type { AuditActor } from './actor';

export type AuditEventInput = {
  actor: AuditActor;
  /** A dotted verb such as `user.create` or `mailbox.approve`. */
  action: string;
  target: { type: string; id: string | null };
  mailboxId?: string | null;
  profileId?: string | null;
  /** Names, states and hints only: never a secret or a token. */
  detail?: Record<string, unknown>;
};

/** Records who did what to which object; call it inside the transaction of the change it describes. */
export async function recordAuditEvent(executor: Executor, event: AuditEventInput): Promise<void> {
  await recordAuditEvents(executor, [event]);
}

/**
 * Records several events in one statement (a batch of imported mailboxes), inside the transaction of
 * their change. The rows travel as one JSON value: a multi-row VALUES list costs a parameter per
 * field, which made a batch of 250 events three times slower to send and plan.
 */
export async function recordAuditEvents(executor: Executor, events: AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => ({
    actor_id: event.actor.userId,
    actor_label: event.actor.label,
    action: event.action,
    target_type: event.target.type,
    target_id: event.target.id,
    mailbox_id: event.mailboxId ?? null,
    profile_id: event.profileId ?? null,
    detail: event.detail ?? {},
  }));
  await executor.execute(sql`
    insert into ${auditEvents} (actor_id, actor_label, action, target_type, target_id, mailbox_id, profile_id, detail)
    select actor_id, actor_label, action, target_type, target_id, mailbox_id, profile_id, detail
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as event(actor_id uuid, actor_label text, action text, target_type text, target_id text, mailbox_id uuid, profile_id uuid, detail jsonb)
  `);
}
