import 'server-only';
import { count, eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import { phrase } from '@/lib/i18n/text';
import { dueCondition } from '@/lib/tokens/find-token-statuses';
import type { Alert } from './alert';
import { findProfileConditions, profileAlertsForStaff } from './profile-alerts';

async function countWithGrants(where: ReturnType<typeof dueCondition>): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
    .where(where);
  return row?.value ?? 0;
}

/** Every alert for the dashboard: profile alerts one by one, mailbox alerts counted with a link to them. */
export async function findAlerts({ now = new Date() }: { now?: Date } = {}): Promise<Alert[]> {
  const [profiles, failingForADay, microsoftStale] = await Promise.all([
    findProfileConditions({ now }),
    countWithGrants(dueCondition('failing_day', now)),
    countWithGrants(dueCondition('microsoft_stale', now)),
  ]);
  const alerts = profiles.flatMap(profileAlertsForStaff);
  if (failingForADay > 0) {
    alerts.push({
      key: 'failing-day',
      tone: 'bad',
      title: phrase('alerts.staff.failingDayCount.title', { count: failingForADay }),
      detail: phrase('alerts.staff.failingDayCount.detail'),
      href: '/token-status?due=failing_day&sort=failing_since',
    });
  }
  if (microsoftStale > 0) {
    alerts.push({
      key: 'microsoft-stale',
      tone: 'warn',
      title: phrase('alerts.staff.microsoftStaleCount.title', { count: microsoftStale }),
      detail: phrase('alerts.staff.microsoftStaleCount.detail'),
      href: '/token-status?due=microsoft_stale&sort=refresh_age',
    });
  }
  return alerts;
}
