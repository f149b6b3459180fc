import 'server-only';
import { and, count, eq, gte, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, serverProfiles, type ServerProfile, type StoredError } from '@/db/schema';
import { phrase, phraseMoment } from '@/lib/i18n/text';
import { problemTexts } from '@/lib/mailboxes/status';
import { apiSwitchOf, countFailingMailboxesByCause, FAILURES_ENDED_BY_API_SWITCH } from '@/lib/profiles/switch-profile-protocol';
import { providerIdsWhere, PROVIDERS } from '@/lib/providers';
import type { ApiProtocol } from '@/lib/providers/provider';
import { DAY_MS, HOUR_MS, type Alert } from './alert';

const CLIENT_SECRET_WARNING_MS = 30 * DAY_MS;

/** What is wrong with a profile, for every mailbox on it: each audience words it its own way. */
export type ProfileCondition =
  | { kind: 'client_refused'; error: StoredError }
  | { kind: 'mass_failure'; failing: number; mailboxCount: number }
  /** The provider refuses every mailbox of the tenant the same way; `switchTo` is the web API that gets past it, if the profile can move there. */
  | { kind: 'tenant_refusal'; code: TenantRefusalCode; failing: number; switchTo: ApiProtocol | null }
  | { kind: 'testing_mode'; consentLifetimeMs: number }
  | { kind: 'client_secret'; expiresAt: Date; expired: boolean };

export type ProfileConditions = {
  profile: Pick<ServerProfile, 'id' | 'name' | 'serverType'>;
  conditions: ProfileCondition[];
};

/** The fewest mailboxes failing within the hour that make a profile-wide incident. */
export const MASS_FAILURE_MINIMUM = 2;

/**
 * Test failures that say the provider refuses the whole tenant (or Google Cloud project) rather than
 * one mailbox, each with how many failing mailboxes of one profile make it the profile's: one alert
 * per profile then names the cause, instead of each mailbox telling it again. SMTP AUTH or IMAP off
 * on one mailbox may be that mailbox's setting; on two of a profile it is the tenant's.
 *
 * The tester's web API classes join here (Graph's ErrorAccessDenied, Gmail's accessNotConfigured:
 * a minimum of 1 for a refusal only a tenant or project can cause), each with its words under
 * `alerts.staff.tenantRefusal` and `alerts.owner.tenantRefusal` (a `code` select).
 */
export const TENANT_REFUSALS = {
  smtp_auth_disabled: { minimum: 2 },
  imap_disabled: { minimum: 2 },
  // The web APIs' own refusals: the Gmail API off in the app's project, Graph refused by an access policy.
  api_disabled: { minimum: 2 },
  api_access_denied: { minimum: 2 },
} as const satisfies Record<string, { minimum: number }>;

export type TenantRefusalCode = keyof typeof TENANT_REFUSALS;
const TENANT_REFUSAL_CODES = Object.keys(TENANT_REFUSALS) as TenantRefusalCode[];

/** The profiles with something wrong (or only `profileId`), in one query plus one count of recent failures. */
export async function findProfileConditions({ now, profileId }: { now: Date; profileId?: string }): Promise<ProfileConditions[]> {
  const secretWarningFrom = new Date(now.getTime() + CLIENT_SECRET_WARNING_MS);
  const [profiles, recentFailures, refusals] = await Promise.all([
    db
      .select({
        id: serverProfiles.id,
        name: serverProfiles.name,
        serverType: serverProfiles.serverType,
        authType: serverProfiles.authType,
        tenant: serverProfiles.tenant,
        incomingProtocol: serverProfiles.incomingProtocol,
        outgoingProtocol: serverProfiles.outgoingProtocol,
        apiEndpoint: serverProfiles.apiEndpoint,
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
    countFailingMailboxesByCause({ codes: TENANT_REFUSAL_CODES, profileId }),
  ]);
  const failingByProfile = new Map(recentFailures.map((row) => [row.profileId, row.failing]));

  return profiles.flatMap((profile) => {
    const conditions: ProfileCondition[] = [];
    if (profile.clientError) conditions.push({ kind: 'client_refused', error: profile.clientError });
    const tenantRefusals = tenantRefusalsOf(profile, refusals);
    conditions.push(...tenantRefusals);
    const failing = failingByProfile.get(profile.id) ?? 0;
    // An incident of the profile: several of its mailboxes, and most of them. One failing mailbox is its own story;
    // so is a tenant's refusal, already named for as many mailboxes as failed.
    const explained = Math.max(0, ...tenantRefusals.map((refusal) => refusal.failing));
    if (failing >= MASS_FAILURE_MINIMUM && failing * 2 > profile.mailboxCount && failing > explained) {
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

/** The tenant refusals among the profile's failing mailboxes, each with the switch that gets past it. */
function tenantRefusalsOf(
  profile: Parameters<typeof apiSwitchOf>[0] & { id: string },
  refusals: Awaited<ReturnType<typeof countFailingMailboxesByCause>>,
): Extract<ProfileCondition, { kind: 'tenant_refusal' }>[] {
  // A custom server's refusals are its administrators' story, told by the mass failure alert: it has no tenant.
  if (PROVIDERS[profile.serverType].company === null) return [];
  const switchTo = apiSwitchOf(profile)?.apiProtocol ?? null;
  const endedBySwitch: readonly string[] = FAILURES_ENDED_BY_API_SWITCH;
  return TENANT_REFUSAL_CODES.flatMap((code) => {
    const failing = refusals.find((row) => row.profileId === profile.id && row.code === code)?.failing ?? 0;
    if (failing < TENANT_REFUSALS[code].minimum) return [];
    return [{ kind: 'tenant_refusal' as const, code, failing, switchTo: endedBySwitch.includes(code) ? switchTo : null }];
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
      case 'tenant_refusal':
        return {
          key: `tenant-refusal:${condition.code}:${profile.id}`,
          tone: 'bad',
          title: phrase('alerts.staff.tenantRefusal.title', { failing: condition.failing, code: condition.code, profile: profile.name }),
          detail: phrase('alerts.staff.tenantRefusal.detail', { code: condition.code, switchTo: condition.switchTo ?? 'none' }),
          // The profile page offers the switch, with what it means.
          href: `${href}#api-switch`,
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
