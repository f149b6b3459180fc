import 'server-only';
import { and, count, eq, gte, isNotNull, lte, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import { dueCondition, MICROSOFT_REFRESH_STALE_MS } from '@/lib/tokens/find-token-statuses';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const CLIENT_SECRET_WARNING_MS = 30 * DAY_MS;

export type Alert = {
  /** Stable, so a page can key on it and a test can look for it. */
  key: string;
  tone: 'bad' | 'warn';
  title: string;
  detail: string;
  href?: string;
  profileId?: string;
};

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Alerts that belong to a profile: shown once for the profile, not once per mailbox. */
async function findProfileAlerts({ now, profileId }: { now: Date; profileId?: string }): Promise<Alert[]> {
  const profiles = await db
    .select({
      id: serverProfiles.id,
      name: serverProfiles.name,
      serverType: serverProfiles.serverType,
      publishingStatus: serverProfiles.publishingStatus,
      clientSecretExpiresAt: serverProfiles.clientSecretExpiresAt,
      clientError: serverProfiles.clientError,
      mailboxCount: serverProfiles.mailboxCount,
    })
    .from(serverProfiles)
    .where(
      and(
        profileId ? eq(serverProfiles.id, profileId) : undefined,
        or(
          isNotNull(serverProfiles.clientError),
          and(eq(serverProfiles.serverType, 'gmail'), eq(serverProfiles.publishingStatus, 'testing')),
          lte(serverProfiles.clientSecretExpiresAt, new Date(now.getTime() + CLIENT_SECRET_WARNING_MS)),
          sql`${serverProfiles.mailboxCount} > 0`,
        ),
      ),
    );
  // Mailboxes that started failing within the hour, per profile: a mass failure is the profile's.
  const recentFailures = await db
    .select({ profileId: mailboxes.profileId, failing: count() })
    .from(mailboxes)
    .where(and(profileId ? eq(mailboxes.profileId, profileId) : undefined, gte(mailboxes.failingSince, new Date(now.getTime() - HOUR_MS))))
    .groupBy(mailboxes.profileId);
  const failingByProfile = new Map(recentFailures.map((row) => [row.profileId, row.failing]));

  const alerts: Alert[] = [];
  for (const profile of profiles) {
    const href = `/profiles/${profile.id}`;
    if (profile.clientError) {
      alerts.push({
        key: `client-refused:${profile.id}`,
        tone: 'bad',
        title: `The provider refuses the client of ${profile.name}`,
        detail: `${profile.clientError.message} ${profile.clientError.hint}`,
        href,
        profileId: profile.id,
      });
    }
    const failing = failingByProfile.get(profile.id) ?? 0;
    if (profile.mailboxCount > 0 && failing * 2 > profile.mailboxCount) {
      alerts.push({
        key: `mass-failure:${profile.id}`,
        tone: 'bad',
        title: `${failing} of ${profile.mailboxCount} mailboxes of ${profile.name} started failing in the last hour`,
        detail: 'When most mailboxes of one profile fail at once, look at the profile (client, secret, server) before the mailboxes.',
        href: `/token-status?profileId=${profile.id}&status=failing`,
        profileId: profile.id,
      });
    }
    if (profile.serverType === 'gmail' && profile.publishingStatus === 'testing') {
      alerts.push({
        key: `testing-mode:${profile.id}`,
        tone: 'warn',
        title: `${profile.name} uses a Google app in Testing`,
        detail: 'Its refresh tokens expire 7 days after consent and it accepts at most 100 users: publish the app in Google Cloud to keep mailboxes connected.',
        href,
        profileId: profile.id,
      });
    }
    if (profile.clientSecretExpiresAt && profile.clientSecretExpiresAt.getTime() <= now.getTime() + CLIENT_SECRET_WARNING_MS) {
      const past = profile.clientSecretExpiresAt.getTime() <= now.getTime();
      alerts.push({
        key: `client-secret:${profile.id}`,
        tone: past ? 'bad' : 'warn',
        title: `The client secret of ${profile.name} ${past ? 'expired' : 'expires'} on ${day(profile.clientSecretExpiresAt)}`,
        detail: 'Create a new secret at the provider and save it in the profile before the old one stops working.',
        href,
        profileId: profile.id,
      });
    }
  }
  return alerts;
}

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
  const [profileAlerts, failingForADay, microsoftStale] = await Promise.all([
    findProfileAlerts({ now }),
    countWithGrants(dueCondition('failing_day', now)),
    countWithGrants(dueCondition('microsoft_stale', now)),
  ]);
  const alerts = [...profileAlerts];
  if (failingForADay > 0) {
    alerts.push({
      key: 'failing-day',
      tone: 'bad',
      title: `${failingForADay} ${failingForADay === 1 ? 'mailbox has' : 'mailboxes have'} been failing for more than a day`,
      detail: 'Each one shows why it fails and what fixes it.',
      href: '/token-status?due=failing_day&sort=failing_since',
    });
  }
  if (microsoftStale > 0) {
    alerts.push({
      key: 'microsoft-stale',
      tone: 'warn',
      title: `${microsoftStale} Microsoft 365 ${microsoftStale === 1 ? 'refresh token was' : 'refresh tokens were'} not renewed for 60 days`,
      detail: 'Microsoft refresh tokens die after 90 days unused: run a test or a check to renew them, or ask the owner to reconnect.',
      href: '/token-status?due=microsoft_stale&sort=refresh_age',
    });
  }
  return alerts;
}

/** The alerts of one mailbox: its profile's, and its own. */
export async function findMailboxAlerts({
  mailbox,
  now = new Date(),
}: {
  mailbox: { profileId: string; serverType: string; failingSince: string | null; refreshTokenObtainedAt: string | null };
  now?: Date;
}): Promise<Alert[]> {
  const alerts = await findProfileAlerts({ now, profileId: mailbox.profileId });
  if (mailbox.failingSince && Date.parse(mailbox.failingSince) <= now.getTime() - DAY_MS) {
    alerts.push({
      key: 'failing-day',
      tone: 'bad',
      title: `Failing since ${mailbox.failingSince.slice(0, 16).replace('T', ' ')} UTC, more than a day`,
      detail: 'The reason and its fix are shown with the last error.',
    });
  }
  if (
    mailbox.serverType === 'microsoft365' &&
    mailbox.refreshTokenObtainedAt &&
    Date.parse(mailbox.refreshTokenObtainedAt) <= now.getTime() - MICROSOFT_REFRESH_STALE_MS
  ) {
    alerts.push({
      key: 'microsoft-stale',
      tone: 'warn',
      title: 'The Microsoft refresh token was not renewed for 60 days',
      detail: 'It dies after 90 days unused: run a check to renew it, or ask the owner to reconnect.',
    });
  }
  return alerts;
}
