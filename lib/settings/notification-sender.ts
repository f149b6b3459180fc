import 'server-only';
import { eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, portalSettings, serverProfiles, type Mailbox, type ServerProfile } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError } from '@/lib/errors';
import { directionServerName } from '@/lib/mail/server-target';
import type { Locale } from '@/lib/i18n/locales';
import { phrase, renderText, type Phrase } from '@/lib/i18n/text';

/** The notification sender as admins see it: its mailbox, its profile, and what stops it sending. */
export type NotificationSenderSummary = {
  mailboxId: string;
  address: string;
  profileId: string;
  profileName: string;
  outgoingServer: string;
  /** Null when nothing known stops it; otherwise why notifications would not go out, and the fix. */
  problem: Phrase | null;
};

export type NotificationSettings = { sender: NotificationSenderSummary | null; updatedAt: string | null };

/** The settings in a reader's language, as the API answers them. */
export function renderNotificationSettings(settings: NotificationSettings, locale: Locale) {
  const { sender } = settings;
  return { ...settings, sender: sender && { ...sender, problem: sender.problem && renderText(sender.problem, locale) } };
}

/** The status fields a summary reads: never a password, token or client secret. */
const statusColumns = {
  mailboxId: mailboxes.id,
  address: mailboxes.address,
  outgoing: mailboxes.outgoing,
  approval: mailboxes.approval,
  status: mailboxes.status,
  connection: mailboxes.connection,
  outgoingStatus: mailboxes.outgoingStatus,
  hasPassword: sql<boolean>`${isNotNull(mailboxes.password)}`,
  profileId: serverProfiles.id,
  profileName: serverProfiles.name,
  authType: serverProfiles.authType,
  outgoingProtocol: serverProfiles.outgoingProtocol,
  outgoingHost: serverProfiles.outgoingHost,
  outgoingPort: serverProfiles.outgoingPort,
  outgoingSecurity: serverProfiles.outgoingSecurity,
  incomingProtocol: serverProfiles.incomingProtocol,
  incomingHost: serverProfiles.incomingHost,
  incomingPort: serverProfiles.incomingPort,
  incomingSecurity: serverProfiles.incomingSecurity,
};

type SenderStatus = Pick<Mailbox, 'address' | 'outgoing' | 'approval' | 'status' | 'connection' | 'outgoingStatus'> &
  Pick<ServerProfile, 'authType' | 'outgoingProtocol' | 'outgoingHost' | 'outgoingPort' | 'outgoingSecurity' | 'incomingProtocol' | 'incomingHost' | 'incomingPort' | 'incomingSecurity'> & { mailboxId: string; hasPassword: boolean; profileId: string; profileName: string };

function selectSenderStatus(where: SQL) {
  return db
    .select(statusColumns)
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(where);
}

/** Why this mailbox cannot send notifications now, read from its status fields alone. */
function senderProblem(sender: SenderStatus): Phrase | null {
  if (sender.outgoing !== 'server_side') return phrase('problems.settings.senderProblems.outgoingOff');
  if (sender.approval !== 'approved') return phrase('problems.settings.senderProblems.notApproved');
  if (sender.status === 'disabled') return phrase('problems.settings.senderProblems.disabled');
  if (sender.authType === 'password') {
    if (!sender.hasPassword) return phrase('problems.settings.senderProblems.noPassword');
  } else if (sender.connection !== 'connected') {
    return phrase(sender.connection === 'needs_reconnect' ? 'problems.settings.senderProblems.grantRefused' : 'problems.settings.senderProblems.notConnected');
  }
  if (sender.outgoingStatus === 'failure') return phrase('problems.settings.senderProblems.lastTestFailed');
  return null;
}

/** The sender mailbox with its profile, secrets included: for the code that sends, never for a page. */
export async function loadNotificationSender(): Promise<{ mailbox: Mailbox; profile: ServerProfile } | null> {
  const [row] = await db
    .select({ mailbox: mailboxes, profile: serverProfiles })
    .from(portalSettings)
    .innerJoin(mailboxes, eq(mailboxes.id, portalSettings.notificationMailboxId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId));
  return row ?? null;
}

export async function getNotificationSettings(): Promise<NotificationSettings> {
  const [settings] = await db.select().from(portalSettings);
  const [sender] = settings?.notificationMailboxId ? await selectSenderStatus(eq(mailboxes.id, settings.notificationMailboxId)) : [];
  return {
    sender: sender
      ? {
          mailboxId: sender.mailboxId,
          address: sender.address,
          profileId: sender.profileId,
          profileName: sender.profileName,
          outgoingServer: directionServerName(sender, 'outgoing'),
          problem: senderProblem(sender),
        }
      : null,
    updatedAt: settings?.updatedAt.toISOString() ?? null,
  };
}

async function findCandidate(choice: { mailboxId: string } | { address: string }): Promise<SenderStatus> {
  const [candidate] = await selectSenderStatus('address' in choice ? eq(mailboxes.address, choice.address) : eq(mailboxes.id, choice.mailboxId));
  const field = 'address' in choice ? 'senderAddress' : 'notificationMailboxId';
  const refuse = (reason: Phrase) => new AppError('INVALID_INPUT', phrase('problems.settings.cannotSend', { reason }), { fields: { [field]: [reason] } });
  if (!candidate) {
    throw new AppError('INVALID_INPUT', phrase('problems.settings.noSuchMailbox'), { fields: { [field]: [phrase('problems.settings.refusals.noSuchMailbox')] } });
  }
  if (candidate.outgoing !== 'server_side') throw refuse(phrase('problems.settings.refusals.outgoingOff'));
  if (candidate.approval !== 'approved') throw refuse(phrase('problems.settings.refusals.notApproved'));
  if (candidate.status === 'disabled') throw refuse(phrase('problems.settings.refusals.disabled'));
  return candidate;
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
  actor: AuditActor;
  choice: { mailboxId: string } | { address: string } | null;
}): Promise<NotificationSettings> {
  const candidate = choice ? await findCandidate(choice) : null;
  const notificationMailboxId = candidate?.mailboxId ?? null;
  await db.transaction(async (tx) => {
    const values = { notificationMailboxId, updatedById: actor.userId, updatedAt: new Date() };
    await tx.insert(portalSettings).values({ id: true, ...values }).onConflictDoUpdate({ target: portalSettings.id, set: values });
    await recordAuditEvent(tx, {
      actor,
      action: 'settings.notification_sender',
      target: { type: 'settings', id: null },
      mailboxId: notificationMailboxId,
      profileId: candidate?.profileId ?? null,
      detail: { sender: candidate ? `${candidate.address} via ${candidate.profileName}` : 'none: notifications are logged' },
    });
  });
  return getNotificationSettings();
}
