import 'server-only';
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

/** Records several events in one statement (a batch of imported mailboxes), inside the transaction of their change. */
export async function recordAuditEvents(executor: Executor, events: AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await executor.insert(auditEvents).values(
    events.map((event) => ({
      actorId: event.actor.userId,
      actorLabel: event.actor.label,
      action: event.action,
      targetType: event.target.type,
      targetId: event.target.id,
      mailboxId: event.mailboxId ?? null,
      profileId: event.profileId ?? null,
      detail: event.detail ?? {},
    })),
  );
}
