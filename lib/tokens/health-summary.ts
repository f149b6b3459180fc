import 'server-only';
import { count, eq, sql, sum, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxCounts, mailboxes, serverProfiles } from '@/db/schema';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { nearCapCondition } from '@/lib/profiles/profile-capacity';
import { countExpiringTokens } from './find-token-statuses';

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

export type MailboxStateCounts = {
  active: number;
  pending: number;
  notConnected: number;
  needsReconnect: number;
  failing: number;
  disabled: number;
  refreshFailing: number;
  revoked: number;
};

/** Past this many rows of changes, a reader folds mailbox_counts back to one row per value. */
const FOLD_AFTER_ROWS = 500;

const countWhere = (condition: SQL) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);

/** Counted over the viewer's own mailboxes (an owner's), along mailboxes_owner_idx. */
async function countOwnMailboxStates(viewer: Viewer): Promise<MailboxStateCounts> {
  const [row] = await db
    .select({
      active: countWhere(eq(mailboxes.status, 'active')),
      pending: countWhere(eq(mailboxes.approval, 'pending')),
      notConnected: countWhere(eq(mailboxes.connection, 'not_connected')),
      needsReconnect: countWhere(eq(mailboxes.connection, 'needs_reconnect')),
      failing: countWhere(eq(mailboxes.status, 'failing')),
      disabled: countWhere(eq(mailboxes.status, 'disabled')),
      refreshFailing: countWhere(eq(mailboxes.tokenStanding, 'refresh_failing')),
      revoked: countWhere(eq(mailboxes.tokenStanding, 'revoked')),
    })
    .from(mailboxes)
    .where(mailboxScope(viewer));
  return row!;
}

/**
 * Folds the rows of changes into one per value, in one statement: rows that writers add meanwhile
 * are not in its snapshot and stay, and two folds at once each fold the rows they deleted.
 */
async function foldMailboxCounts(): Promise<void> {
  await db.execute(sql`
    with folded as (delete from ${mailboxCounts} returning *)
    insert into ${mailboxCounts} (field, value, change)
    select field, value, sum(change) from folded group by field, value having sum(change) <> 0`);
}

/** Every mailbox, from the counts the mailboxes' triggers keep: as fast at a million mailboxes as at ten. */
async function countAllMailboxStates(): Promise<MailboxStateCounts> {
  const rows = await db
    .select({ field: mailboxCounts.field, value: mailboxCounts.value, count: sum(mailboxCounts.change).mapWith(Number), rows: count() })
    .from(mailboxCounts)
    .groupBy(mailboxCounts.field, mailboxCounts.value);
  if (rows.reduce((total, row) => total + row.rows, 0) > FOLD_AFTER_ROWS) await foldMailboxCounts();
  const of = (field: string, value: string) => rows.find((row) => row.field === field && row.value === value)?.count ?? 0;
  return {
    active: of('status', 'active'),
    pending: of('approval', 'pending'),
    notConnected: of('connection', 'not_connected'),
    needsReconnect: of('connection', 'needs_reconnect'),
    failing: of('status', 'failing'),
    disabled: of('status', 'disabled'),
    refreshFailing: of('token_standing', 'refresh_failing'),
    revoked: of('token_standing', 'revoked'),
  };
}

/**
 * Mailboxes by where they stand, and tokens by the states the clock does not change: the viewer's
 * (an owner's own), every mailbox for staff or without a viewer.
 */
export function countMailboxStates(viewer: Viewer | null): Promise<MailboxStateCounts> {
  return viewer && mailboxScope(viewer) ? countOwnMailboxStates(viewer) : countAllMailboxStates();
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
  const [states, expiring, nearCap] = await Promise.all([countMailboxStates(viewer), countExpiringTokens({ viewer, now }), countProfilesWhere(nearCapCondition)]);
  return [
    { key: 'active', group: 'mailboxes', value: states.active, href: '/mailboxes?status=active', tone: 'good' },
    { key: 'pending', group: 'mailboxes', value: states.pending, href: '/mailboxes?approval=pending', tone: 'warn' },
    { key: 'not_connected', group: 'mailboxes', value: states.notConnected, href: '/mailboxes?connection=not_connected', tone: 'neutral' },
    { key: 'needs_reconnect', group: 'mailboxes', value: states.needsReconnect, href: '/mailboxes?connection=needs_reconnect', tone: 'bad' },
    { key: 'failing', group: 'mailboxes', value: states.failing, href: '/mailboxes?status=failing', tone: 'bad' },
    { key: 'disabled', group: 'mailboxes', value: states.disabled, href: '/mailboxes?status=disabled', tone: 'neutral' },
    { key: 'token_expiring', group: 'tokens', value: expiring, href: '/token-status?state=expiring', tone: 'warn' },
    { key: 'token_refresh_failing', group: 'tokens', value: states.refreshFailing, href: '/token-status?state=refresh_failing', tone: 'bad' },
    { key: 'token_revoked', group: 'tokens', value: states.revoked, href: '/token-status?state=revoked', tone: 'bad' },
    { key: 'profiles_near_cap', group: 'profiles', value: nearCap, href: '/profiles?capacity=near', tone: 'warn' },
  ];
}
