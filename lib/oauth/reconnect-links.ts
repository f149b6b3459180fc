import 'server-only';
import { and, asc, count, eq, gt, isNull, ne } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, reconnectLinks, serverProfiles, type Mailbox, type ServerProfile, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { randomToken, sha256 } from '@/lib/crypto/tokens';
import { getEnv } from '@/lib/env';
import { AppError, notFound } from '@/lib/errors';
import { phrase, phraseMoment, type Phrase, type Text } from '@/lib/i18n/text';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { reconnectLinkMail } from '@/lib/notifications/link-mails';
import { sendNotification, type NotificationDelivery } from '@/lib/notifications/send-notification';

const LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const REVISIT_MS = 2 * 60 * 1000;

export type CreatedReconnectLink = {
  ownerEmail: string;
  expiresAt: Date;
  /** How the owner gets it: mailed from the notification sender, or handed over by the person who made it. */
  delivery: NotificationDelivery;
  /** Only when the mail did not go out, to show once: never stored (only its SHA-256 is), never logged. */
  url: string | null;
};


/**
 * A signed, single-use, expiring link that sends the mailbox's owner to its Connect page, mailed to
 * the owner from the notification sender an admin chose. When there is none, or the mail does not
 * go out, the link is given back to show once to the person who made it. Its creation and delivery
 * are audited and logged, never the link itself.
 */
export async function createReconnectLink({ viewer, mailboxId }: { viewer: User; mailboxId: string }): Promise<CreatedReconnectLink> {
  if (viewer.role === 'owner') throw new AppError('FORBIDDEN', phrase('oauth.problems.reconnectLinkForbidden'));
  const mailbox = await getMailbox({ viewer, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  if (mailbox.approval === 'rejected' || mailbox.status === 'disabled') {
    throw new AppError('CONFLICT', phrase('oauth.problems.reconnectLinkBlocked'));
  }
  const token = randomToken();
  const url = `${getEnv().MAILROOM_PUBLIC_URL}/reconnect/${token}`;
  const expiresAt = new Date(Date.now() + LINK_LIFETIME_MS);
  const [link] = await db
    .insert(reconnectLinks)
    .values({ tokenHash: sha256(token), mailboxId: mailbox.id, createdById: viewer.id, expiresAt })
    .returning({ id: reconnectLinks.id });
  const delivery = await sendNotification({ to: mailbox.ownerEmail, write: reconnectLinkMail({ address: mailbox.address, url, expiresAt, sentBy: viewer.email }) });
  await recordAuditEvent(db, {
    actor: userActor(viewer),
    action: 'mailbox.reconnect_link',
    target: { type: 'reconnect_link', id: link!.id },
    mailboxId: mailbox.id,
    profileId: mailbox.profileId,
    detail: {
      owner: mailbox.ownerEmail,
      expiresAt: expiresAt.toISOString(),
      // States, not sentences: the audit log and the timeline show them in each reader's language.
      ...(delivery.sent ? { delivery: 'mailed', sender: delivery.sender } : { delivery: 'shown' }),
    },
  });
  return { ownerEmail: mailbox.ownerEmail, expiresAt, delivery, url: delivery.sent ? null : url };
}

/** A profile's mailboxes that must connect again and may: not disabled, address not rejected. */
function mailboxesToReconnect(profileId: string) {
  return and(
    eq(mailboxes.profileId, profileId),
    eq(mailboxes.connection, 'needs_reconnect'),
    ne(mailboxes.status, 'disabled'),
    ne(mailboxes.approval, 'rejected'),
  );
}

export async function countMailboxesToReconnect({ profileId }: { profileId: string }): Promise<number> {
  const [row] = await db.select({ value: count() }).from(mailboxes).where(mailboxesToReconnect(profileId));
  return row?.value ?? 0;
}

export type ProfileReconnectLinks = {
  /** Links mailed to their owner from the notification sender. */
  mailed: { mailboxId: string; address: string; ownerEmail: string }[];
  /** Links made but not mailed, with why: shown once to the person who made them, who hands each over. */
  notMailed: { mailboxId: string; address: string; ownerEmail: string; reason: Text; url: string }[];
  /** Mailboxes no link could be made for (changed meanwhile), with the problem. */
  refused: { mailboxId: string; address: string; problem: AppError }[];
};

/**
 * One reconnect link for each mailbox of the profile that must connect again (after a change that
 * ended its grants, a move to Graph or the Gmail API), made, mailed and audited one by one under the
 * rules of createReconnectLink: support staff and admins only, never a disabled mailbox or a
 * rejected address.
 */
export async function createProfileReconnectLinks({ viewer, profileId }: { viewer: User; profileId: string }): Promise<ProfileReconnectLinks> {
  if (viewer.role === 'owner') throw new AppError('FORBIDDEN', phrase('oauth.problems.reconnectLinkForbidden'));
  const targets = await db
    .select({ id: mailboxes.id, address: mailboxes.address })
    .from(mailboxes)
    .where(mailboxesToReconnect(profileId))
    .orderBy(asc(mailboxes.address));
  const result: ProfileReconnectLinks = { mailed: [], notMailed: [], refused: [] };
  // One at a time: each mail goes through the one notification sender's server.
  for (const target of targets) {
    try {
      const link = await createReconnectLink({ viewer, mailboxId: target.id });
      const made = { mailboxId: target.id, address: target.address, ownerEmail: link.ownerEmail };
      if (link.delivery.sent) result.mailed.push(made);
      else result.notMailed.push({ ...made, reason: link.delivery.reason, url: link.url! });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.refused.push({ mailboxId: target.id, address: target.address, problem: error });
    }
  }
  return result;
}

/** What the person who made the link reads: where it went, or why they hand it over themselves. */
export function describeReconnectDelivery({ ownerEmail, expiresAt, delivery }: CreatedReconnectLink): Phrase {
  const until = phraseMoment(expiresAt);
  if (delivery.sent) return phrase('oauth.reconnectLink.mailed', { owner: ownerEmail, sender: delivery.sender, until });
  return phrase('oauth.reconnectLink.notMailed', { owner: ownerEmail, reason: delivery.reason, until });
}

export type ReconnectLinkPreview =
  | {
      ok: true;
      address: string;
      connection: Mailbox['connection'];
      statusReason: Mailbox['statusReason'];
      profile: Pick<ServerProfile, 'serverType' | 'authType'>;
      expiresAt: Date;
    }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/**
 * What the link's page tells on arrival, before sign-in and without spending it: the mailbox it is
 * for and what happened to it. Whoever holds the link was sent it about this mailbox.
 */
export async function previewReconnectLink({ token }: { token: string }): Promise<ReconnectLinkPreview> {
  const [row] = await db
    .select({
      link: reconnectLinks,
      address: mailboxes.address,
      connection: mailboxes.connection,
      statusReason: mailboxes.statusReason,
      serverType: serverProfiles.serverType,
      authType: serverProfiles.authType,
    })
    .from(reconnectLinks)
    .innerJoin(mailboxes, eq(mailboxes.id, reconnectLinks.mailboxId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(eq(reconnectLinks.tokenHash, sha256(token)));
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.link.usedAt && Date.now() - row.link.usedAt.getTime() >= REVISIT_MS) return { ok: false, reason: 'used' };
  if (!row.link.usedAt && row.link.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    address: row.address,
    connection: row.connection,
    statusReason: row.statusReason,
    profile: { serverType: row.serverType, authType: row.authType },
    expiresAt: row.link.expiresAt,
  };
}

export type ReconnectLinkOutcome =
  | { ok: true; mailboxId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'not_owner' };

/**
 * Spends a link for its mailbox's owner (or an admin): one conditional update, so two clicks
 * cannot both use it. Anyone else leaves it unspent.
 */
export async function spendReconnectLink({ viewer, token }: { viewer: User; token: string }): Promise<ReconnectLinkOutcome> {
  const [link] = await db.select().from(reconnectLinks).where(eq(reconnectLinks.tokenHash, sha256(token)));
  if (!link) return { ok: false, reason: 'unknown' };
  const mailbox = await getMailbox({ viewer, id: link.mailboxId });
  const mayUse = mailbox && (viewer.role === 'admin' || mailbox.ownerId === viewer.id);
  // The browser may request the page twice on one visit (sign-in redirect, router refresh): the
  // owner who just spent it is still sent on; anyone later finds it used.
  if (link.usedAt) return mayUse && Date.now() - link.usedAt.getTime() < REVISIT_MS ? { ok: true, mailboxId: link.mailboxId } : { ok: false, reason: 'used' };
  if (link.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  if (!mailbox || !mayUse) return { ok: false, reason: 'not_owner' };
  const spent = await db.transaction(async (tx) => {
    const [used] = await tx
      .update(reconnectLinks)
      .set({ usedAt: new Date() })
      .where(and(eq(reconnectLinks.id, link.id), isNull(reconnectLinks.usedAt), gt(reconnectLinks.expiresAt, new Date())))
      .returning({ id: reconnectLinks.id });
    if (!used) return false;
    await recordAuditEvent(tx, {
      actor: userActor(viewer),
      action: 'mailbox.reconnect_link_used',
      target: { type: 'reconnect_link', id: link.id },
      mailboxId: mailbox.id,
      profileId: mailbox.profileId,
      detail: { address: mailbox.address },
    });
    return true;
  });
  // A request that lost the race to a simultaneous one reads the link again: a revisit by its owner.
  return spent ? { ok: true, mailboxId: mailbox.id } : spendReconnectLink({ viewer, token });
}
