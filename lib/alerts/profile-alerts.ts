import 'server-only';
import { and, count, eq, gte, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, serverProfiles, type ServerProfile, type StoredError } from '@/db/schema';
import { phrase, phraseMoment } from '@/lib/i18n/text';
import { problemTexts } from '@/lib/mailboxes/status';
import { providerIdsWhere, PROVIDERS } from '@/lib/providers';
import { DAY_MS, HOUR_MS, type Alert } from './alert';

const CLIENT_SECRET_WARNING_MS = 30 * DAY_MS;

/** What is wrong with a profile, for every mailbox on it: each audience words it its own way. */
export type ProfileCondition =
  | { kind: 'client_refused'; error: StoredError }
  | { kind: 'mass_failure'; failing: number; mailboxCount: number }
  | { kind: 'testing_mode'; consentLifetimeMs: number }
  | { kind: 'client_secret'; expiresAt: Date; expired: boolean };

export type ProfileConditions = {
  profile: Pick<ServerProfile, 'id' | 'name' | 'serverType'>;
  conditions: ProfileCondition[];
};

/** The fewest mailboxes failing within the hour that make a profile-wide incident. */
export const MASS_FAILURE_MINIMUM = 2;

/** The profiles with something wrong (or only `profileId`), in one query plus one count of recent failures. */
export async function findProfileConditions({ now, profileId }: { now: Date; profileId?: string }): Promise<ProfileConditions[]> {
  const secretWarningFrom = new Date(now.getTime() + CLIENT_SECRET_WARNING_MS);
  const [profiles, recentFailures] = await Promise.all([
    db
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
            and(
              inArray(serverProfiles.serverType, providerIdsWhere((provider) => provider.testingApps !== null)),
              eq(serverProfiles.publishingStatus, 'testing'),
            ),
            lte(serverProfiles.clientSecretExpiresAt, secretWarningFrom),
            sql`${serverProfiles.mailboxCount} > 0`,
          ),
        ),
      ),
    // Mailboxes that started failing within the hour, per profile: a mass failure is the profile's.
    db
      .select({ profileId: mailboxes.profileId, failing: count() })
      .from(mailboxes)
      .where(and(profileId ? eq(mailboxes.profileId, profileId) : undefined, gte(mailboxes.failingSince, new Date(now.getTime() - HOUR_MS))))
      .groupBy(mailboxes.profileId),
  ]);
  const failingByProfile = new Map(recentFailures.map((row) => [row.profileId, row.failing]));

  return profiles.flatMap((profile) => {
    const conditions: ProfileCondition[] = [];
    if (profile.clientError) conditions.push({ kind: 'client_refused', error: profile.clientError });
    const failing = failingByProfile.get(profile.id) ?? 0;
    // An incident of the profile: several of its mailboxes, and most of them. One failing mailbox is its own story.
    if (failing >= MASS_FAILURE_MINIMUM && failing * 2 > profile.mailboxCount) {
      conditions.push({ kind: 'mass_failure', failing, mailboxCount: profile.mailboxCount });
    }
    const testingApps = PROVIDERS[profile.serverType].testingApps;
    if (testingApps && profile.publishingStatus === 'testing') {
      conditions.push({ kind: 'testing_mode', consentLifetimeMs: testingApps.consentLifetimeMs });
    }
    if (profile.clientSecretExpiresAt && profile.clientSecretExpiresAt <= secretWarningFrom) {
      conditions.push({ kind: 'client_secret', expiresAt: profile.clientSecretExpiresAt, expired: profile.clientSecretExpiresAt <= now });
    }
    return conditions.length ? [{ profile: { id: profile.id, name: profile.name, serverType: profile.serverType }, conditions }] : [];
  });
}

/** A profile's alerts as admins and support read them: what is wrong, and where in the portal to fix it. */
export function profileAlertsForStaff({ profile, conditions }: ProfileConditions): Alert[] {
  const href = `/profiles/${profile.id}`;
  return conditions.map((condition): Alert => {
    switch (condition.kind) {
      case 'client_refused':
        return {
          key: `client-refused:${profile.id}`,
          tone: 'bad',
          title: phrase('alerts.staff.clientRefused.title', { profile: profile.name }),
          detail: phrase('alerts.staff.clientRefused.detail', problemTexts(condition.error)),
          href,
          profileId: profile.id,
        };
      case 'mass_failure':
        return {
          key: `mass-failure:${profile.id}`,
          tone: 'bad',
          title: phrase('alerts.staff.massFailure.title', { failing: condition.failing, count: condition.mailboxCount, profile: profile.name }),
          detail: phrase('alerts.staff.massFailure.detail'),
          href: `/token-status?profileId=${profile.id}&status=failing`,
          profileId: profile.id,
        };
      case 'testing_mode':
        return {
          key: `testing-mode:${profile.id}`,
          tone: 'warn',
          title: phrase('alerts.staff.testingMode.title', { profile: profile.name }),
          detail: phrase('alerts.staff.testingMode.detail'),
          href,
          profileId: profile.id,
        };
      case 'client_secret':
        return {
          key: `client-secret:${profile.id}`,
          tone: condition.expired ? 'bad' : 'warn',
          title: phrase('alerts.staff.clientSecret.title', {
            profile: profile.name,
            expired: condition.expired ? 'yes' : 'no',
            date: phraseMoment(condition.expiresAt),
          }),
          detail: phrase('alerts.staff.clientSecret.detail'),
          href,
          profileId: profile.id,
        };
    }
  });
}
