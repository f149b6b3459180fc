import 'server-only';
import { count, eq, sql, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { nearCapCondition } from '@/lib/profiles/profile-capacity';
import { tokenStateCondition } from './find-token-statuses';

export type HealthFigureKey =
  | 'active'
  | 'pending'
  | 'not_connected'
  | 'needs_reconnect'
  | 'failing'
  | 'disabled'
  | 'token_expiring'
  | 'token_refresh_failing'
  | 'token_revoked'
  | 'profiles_near_cap';

export type HealthFigure = {
  key: HealthFigureKey;
  group: 'mailboxes' | 'tokens' | 'profiles';
  value: number;
  /** The list filtered the same way: it shows exactly `value` rows. */
  href: string;
  /** What a figure above zero means. */
  tone: 'good' | 'warn' | 'bad' | 'neutral';
};

const countWhere = (condition: SQL) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);

/** The mailbox figures, in one pass over the mailboxes the viewer may see (every mailbox without a viewer). */
export async function countMailboxStates(viewer: Viewer | null) {
  const [row] = await db
    .select({
      active: countWhere(eq(mailboxes.status, 'active')),
      pending: countWhere(eq(mailboxes.approval, 'pending')),
      notConnected: countWhere(eq(mailboxes.connection, 'not_connected')),
      needsReconnect: countWhere(eq(mailboxes.connection, 'needs_reconnect')),
      failing: countWhere(eq(mailboxes.status, 'failing')),
      disabled: countWhere(eq(mailboxes.status, 'disabled')),
    })
    .from(mailboxes)
    .where(viewer ? mailboxScope(viewer) : undefined);
  return row ?? { active: 0, pending: 0, notConnected: 0, needsReconnect: 0, failing: 0, disabled: 0 };
}

/** The token figures, in one pass over the join the token status list filters: the same conditions, so the same rows. */
async function countTokenStates(viewer: Viewer, now: Date) {
  const [row] = await db
    .select({
      expiring: countWhere(tokenStateCondition('expiring', now)),
      refreshFailing: countWhere(tokenStateCondition('refresh_failing', now)),
      revoked: countWhere(tokenStateCondition('revoked', now)),
    })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
    .where(mailboxScope(viewer));
  return row ?? { expiring: 0, refreshFailing: 0, revoked: 0 };
}

export async function countProfilesWhere(where: SQL): Promise<number> {
  const [row] = await db.select({ value: count() }).from(serverProfiles).where(where);
  return row?.value ?? 0;
}

/**
 * The health summary of the overview: mailboxes by where they stand, tokens that need someone, and
 * profiles running out of places, each counted with the filter of the list it links to.
 */
export async function getHealthSummary({ viewer, now = new Date() }: { viewer: Viewer; now?: Date }): Promise<HealthFigure[]> {
  const [mailboxStates, tokenStates, nearCap] = await Promise.all([countMailboxStates(viewer), countTokenStates(viewer, now), countProfilesWhere(nearCapCondition)]);
  return [
    { key: 'active', group: 'mailboxes', value: mailboxStates.active, href: '/mailboxes?status=active', tone: 'good' },
    { key: 'pending', group: 'mailboxes', value: mailboxStates.pending, href: '/mailboxes?approval=pending', tone: 'warn' },
    { key: 'not_connected', group: 'mailboxes', value: mailboxStates.notConnected, href: '/mailboxes?connection=not_connected', tone: 'neutral' },
    { key: 'needs_reconnect', group: 'mailboxes', value: mailboxStates.needsReconnect, href: '/mailboxes?connection=needs_reconnect', tone: 'bad' },
    { key: 'failing', group: 'mailboxes', value: mailboxStates.failing, href: '/mailboxes?status=failing', tone: 'bad' },
    { key: 'disabled', group: 'mailboxes', value: mailboxStates.disabled, href: '/mailboxes?status=disabled', tone: 'neutral' },
    { key: 'token_expiring', group: 'tokens', value: tokenStates.expiring, href: '/token-status?state=expiring', tone: 'warn' },
    { key: 'token_refresh_failing', group: 'tokens', value: tokenStates.refreshFailing, href: '/token-status?state=refresh_failing', tone: 'bad' },
    { key: 'token_revoked', group: 'tokens', value: tokenStates.revoked, href: '/token-status?state=revoked', tone: 'bad' },
    { key: 'profiles_near_cap', group: 'profiles', value: nearCap, href: '/profiles?capacity=near', tone: 'warn' },
  ];
}
