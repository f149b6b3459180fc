import 'server-only';
import { phrase } from '@/lib/i18n/text';
import { countDueMailboxes } from '@/lib/tokens/find-token-statuses';
import type { Alert } from './alert';
import { findProfileConditions, profileAlertsForStaff } from './profile-alerts';

/** Every alert for the dashboard: profile alerts one by one, mailbox alerts counted with a link to them. */
export async function findAlerts({ now = new Date() }: { now?: Date } = {}): Promise<Alert[]> {
  const [profiles, failingForADay, microsoftStale] = await Promise.all([
    findProfileConditions({ now }),
    countDueMailboxes({ due: 'failing_day', now }),
    countDueMailboxes({ due: 'microsoft_stale', now }),
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
