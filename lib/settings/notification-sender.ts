import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, portalSettings, serverProfiles, type Mailbox, type ServerProfile } from '@/db/schema';
import type { Actor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { invalidInput } from '@/lib/errors';

/** The notification sender as admins see it: its mailbox, its profile, and what stops it sending. */
export type NotificationSenderSummary = {
  mailboxId: string;
  address: string;
  profileId: string;
  profileName: string;
  outgoingServer: string;
  /** Null when nothing known stops it; otherwise why notifications would not go out, and the fix. */
  problem: string | null;
};

export type NotificationSettings = { sender: NotificationSenderSummary | null; updatedAt: string | null };

type SenderRow = { mailbox: Mailbox; profile: ServerProfile };

/** Why this mailbox cannot send notifications now, read from its status fields alone. */
function senderProblem({ mailbox, profile }: SenderRow): string | null {
  if (mailbox.outgoing !== 'server_side') return 'Its outgoing mail is turned off: turn it on in the mailbox, or choose another sender.';
  if (mailbox.approval !== 'approved') return 'Its address is not approved: approve it, or choose another sender.';
  if (mailbox.status === 'disabled') return 'The mailbox is disabled: enable it, or choose another sender.';
  if (profile.authType === 'password') {
    if (!mailbox.password) return 'No password is stored for it: its owner enters the password or app password.';
  } else if (mailbox.connection !== 'connected') {
    return mailbox.connection === 'needs_reconnect'
      ? 'The provider refused its grant: its owner connects the mailbox again.'
      : 'It is not connected yet: its owner connects it.';
  }
  if (mailbox.outgoingStatus === 'failure') return 'Its last test failed to send: run a test on the mailbox to see why.';
  return null;
}

function summarize(row: SenderRow): NotificationSenderSummary {
  return {
    mailboxId: row.mailbox.id,
    address: row.mailbox.address,
    profileId: row.profile.id,
    profileName: row.profile.name,
    outgoingServer: `${row.profile.outgoingHost}:${row.profile.outgoingPort}`,
    problem: senderProblem(row),
  };
}

/** The sender mailbox with its profile, secrets included: for the code that sends, never for a page. */
export async function loadNotificationSender(): Promise<SenderRow | null> {
  const [row] = await db
    .select({ mailbox: mailboxes, profile: serverProfiles })
    .from(portalSettings)
    .innerJoin(mailboxes, eq(mailboxes.id, portalSettings.notificationMailboxId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId));
  return row ?? null;
}

export async function getNotificationSettings(): Promise<NotificationSettings> {
  const [settings] = await db.select({ updatedAt: portalSettings.updatedAt }).from(portalSettings);
  const sender = await loadNotificationSender();
  return { sender: sender ? summarize(sender) : null, updatedAt: settings?.updatedAt.toISOString() ?? null };
}

async function findCandidate(choice: { mailboxId: string } | { address: string }): Promise<SenderRow> {
  const [row] = await db
    .select({ mailbox: mailboxes, profile: serverProfiles })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where('address' in choice ? eq(mailboxes.address, choice.address) : eq(mailboxes.id, choice.mailboxId));
  const field = 'address' in choice ? 'senderAddress' : 'notificationMailboxId';
  if (!row) throw invalidInput({ [field]: ['No mailbox has this address: create it first, then choose it here.'] });
  if (row.mailbox.outgoing !== 'server_side') throw invalidInput({ [field]: ['This mailbox’s outgoing mail is turned off, so it cannot send notifications.'] });
  if (row.mailbox.approval !== 'approved') throw invalidInput({ [field]: ['This mailbox’s address is not approved yet: approve it first.'] });
  if (row.mailbox.status === 'disabled') throw invalidInput({ [field]: ['This mailbox is disabled.'] });
  return row;
}

/**
 * Chooses the mailbox notifications are sent as (through its profile's outgoing server), or none:
 * then they are logged and support hands links over by hand. It must send mail, be approved and
 * not be disabled; a sender that is not connected yet is accepted and its problem shown.
 */
export async function setNotificationSender({
  actor,
  choice,
}: {
  actor: Actor;
  choice: { mailboxId: string } | { address: string } | null;
}): Promise<NotificationSettings> {
  const candidate = choice ? await findCandidate(choice) : null;
  const notificationMailboxId = candidate?.mailbox.id ?? null;
  await db.transaction(async (tx) => {
    const values = { notificationMailboxId, updatedById: actor.userId, updatedAt: new Date() };
    await tx.insert(portalSettings).values({ id: true, ...values }).onConflictDoUpdate({ target: portalSettings.id, set: values });
    await recordAuditEvent(tx, {
      actor,
      action: 'settings.notification_sender',
      target: { type: 'settings', id: null },
      mailboxId: notificationMailboxId,
      profileId: candidate?.profile.id ?? null,
      detail: { sender: candidate ? `${candidate.mailbox.address} via ${candidate.profile.name}` : 'none: notifications are logged' },
    });
  });
  return getNotificationSettings();
}
