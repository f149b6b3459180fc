import 'server-only';
import { and, eq, gt, isNull, sql, TransactionRollbackError } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { passwordLinks, users, type User } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { hashPassword } from '@/lib/crypto/passwords';
import { randomToken, sha256 } from '@/lib/crypto/tokens';
import { getEnv } from '@/lib/env';
import { AppError, notFound } from '@/lib/errors';
import { phrase, renderText, type Text } from '@/lib/i18n/text';
import { invitationMail, passwordResetMail } from '@/lib/notifications/link-mails';
import { sendNotification } from '@/lib/notifications/send-notification';
import type { Locale } from '@/lib/i18n/locales';
import type { PasswordLinkResponse } from '@/lib/validations/users';

export type PasswordLinkPurpose = 'invitation' | 'reset';

/** An invitation waits for people to find the mail; a reset is asked for by someone at their desk. */
const LINK_LIFETIME_MS: Record<PasswordLinkPurpose, number> = {
  invitation: 7 * 24 * 60 * 60 * 1000,
  reset: 24 * 60 * 60 * 1000,
};

const LINK_PATH: Record<PasswordLinkPurpose, string> = { invitation: 'invitation', reset: 'reset' };

type IssuedLink = { token: string; expiresAt: Date; linkId: string };

/** A link's delivery as the API answers it, with why it was not mailed in words rendered for each reader. */
export type PasswordLinkDelivery = Omit<PasswordLinkResponse, 'reason'> & { reason: Text | null };

/** The delivery in a reader's language, as the API answers it. */
export function renderPasswordLinkDelivery(link: PasswordLinkDelivery, locale: Locale): PasswordLinkResponse {
  return { ...link, reason: link.reason === null ? null : renderText(link.reason, locale) };
}

/**
 * Stores a new link for the user (its SHA-256 only) and voids their earlier unused ones, so that
 * the last link sent is the only one that works.
 */
export async function issuePasswordLink(
  executor: Executor,
  { actor, user, purpose }: { actor: AuditActor; user: Pick<User, 'id' | 'email'>; purpose: PasswordLinkPurpose },
): Promise<IssuedLink> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + LINK_LIFETIME_MS[purpose]);
  await executor.delete(passwordLinks).where(and(eq(passwordLinks.userId, user.id), isNull(passwordLinks.usedAt)));
  const [link] = await executor
    .insert(passwordLinks)
    .values({ tokenHash: sha256(token), userId: user.id, purpose, createdById: actor.userId, expiresAt })
    .returning({ id: passwordLinks.id });
  await recordAuditEvent(executor, {
    actor,
    action: purpose === 'invitation' ? 'user.invitation' : 'user.password_reset_link',
    target: { type: 'user', id: user.id },
    detail: { email: user.email, expiresAt: expiresAt.toISOString() },
  });
  return { token, expiresAt, linkId: link!.id };
}

/**
 * Mails an issued link from the notification sender; when there is none or it fails, the link is
 * handed back to show once to the admin. The link is never logged nor audited, only its delivery.
 */
export async function deliverPasswordLink({
  actor,
  user,
  purpose,
  issued,
}: {
  actor: AuditActor;
  user: Pick<User, 'id' | 'email'>;
  purpose: PasswordLinkPurpose;
  issued: IssuedLink;
}): Promise<PasswordLinkDelivery> {
  const url = `${getEnv().MAILROOM_PUBLIC_URL}/${LINK_PATH[purpose]}/${issued.token}`;
  const mail = purpose === 'invitation' ? invitationMail : passwordResetMail;
  const delivery = await sendNotification({ to: user.email, write: mail({ url, expiresAt: issued.expiresAt, sentBy: actor.label }) });
  await recordAuditEvent(db, {
    actor,
    action: 'user.password_link_delivery',
    target: { type: 'user', id: user.id },
    detail: {
      email: user.email,
      purpose,
      ...(delivery.sent ? { delivery: 'mailed', sender: delivery.sender } : { delivery: 'shown' }),
    },
  });
  return {
    url: delivery.sent ? null : url,
    mailed: delivery.sent,
    reason: delivery.sent ? null : delivery.reason,
    expiresAt: issued.expiresAt.toISOString(),
  };
}

/**
 * Sends a user a link to set their password: an invitation while they have never had one, a reset
 * once they have. Refused for deactivated users, who could not sign in with it.
 */
export async function sendPasswordLink({
  actor,
  userId,
  purpose,
}: {
  actor: AuditActor;
  userId: string;
  purpose: PasswordLinkPurpose;
}): Promise<PasswordLinkDelivery> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound('user');
  if (user.role === 'service') throw new AppError('CONFLICT', phrase('problems.services.noPasswordLink', { name: user.name ?? user.email }));
  if (user.deactivatedAt) throw new AppError('CONFLICT', phrase('problems.users.deactivated', { email: user.email }));
  if (purpose === 'invitation' && user.passwordHash) {
    throw new AppError('CONFLICT', phrase('problems.users.hasPassword', { email: user.email }));
  }
  if (purpose === 'reset' && !user.passwordHash) {
    throw new AppError('CONFLICT', phrase('problems.users.noPassword', { email: user.email }));
  }
  const issued = await db.transaction((tx) => issuePasswordLink(tx, { actor, user, purpose }));
  return deliverPasswordLink({ actor, user, purpose, issued });
}

export type PasswordLinkState =
  | { ok: true; purpose: PasswordLinkPurpose; email: string; expiresAt: Date }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/** What a link's page shows before anything is changed: whose it is, or why it no longer works. */
export async function getPasswordLinkState({ token }: { token: string }): Promise<PasswordLinkState> {
  const [row] = await db
    .select({ link: passwordLinks, email: users.email, deactivatedAt: users.deactivatedAt })
    .from(passwordLinks)
    .innerJoin(users, eq(users.id, passwordLinks.userId))
    .where(eq(passwordLinks.tokenHash, sha256(token)));
  if (!row || row.deactivatedAt) return { ok: false, reason: 'unknown' };
  if (row.link.usedAt) return { ok: false, reason: 'used' };
  if (row.link.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, purpose: row.link.purpose, email: row.email, expiresAt: row.link.expiresAt };
}

/**
 * Spends a link to set the user's password: one conditional update, so that two submissions cannot
 * both use it. Like every change of credentials it ends every session the user had open, and it is
 * audited (never the password or the link).
 */
export async function setPasswordWithLink({ token, password }: { token: string; password: string }): Promise<PasswordLinkState> {
  const state = await getPasswordLinkState({ token });
  if (!state.ok) return state;
  const passwordHash = await hashPassword(password);
  const spent = await db.transaction(async (tx) => {
    const [link] = await tx
      .update(passwordLinks)
      .set({ usedAt: new Date() })
      .where(and(eq(passwordLinks.tokenHash, sha256(token)), isNull(passwordLinks.usedAt), gt(passwordLinks.expiresAt, new Date())))
      .returning();
    if (!link) return false;
    const [user] = await tx
      .update(users)
      .set({ passwordHash, sessionEpoch: sql`${users.sessionEpoch} + 1` })
      .where(and(eq(users.id, link.userId), isNull(users.deactivatedAt)))
      .returning({ id: users.id, email: users.email });
    if (!user) {
      tx.rollback();
      return false;
    }
    await recordAuditEvent(tx, {
      actor: { userId: user.id, label: user.email },
      action: 'user.password_set',
      target: { type: 'user', id: user.id },
      detail: { email: user.email, through: link.purpose === 'invitation' ? 'invitation link' : 'password reset link' },
    });
    return true;
  }).catch((error: unknown) => {
    // Rolled back: the user was deactivated in the meantime, and the link stays unspent for nothing.
    if (error instanceof TransactionRollbackError) return false;
    throw error;
  });
  // A submission that lost the race reads the link again: now used (or expired).
  return spent ? state : getPasswordLinkState({ token });
}
