import 'server-only';
import { and, eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type Mailbox, type OauthGrant, type ServerProfile } from '@/db/schema';
import { phrase, phraseMoment, type Phrase } from '@/lib/i18n/text';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { connectLabel, credentialsRefused, nextStep, type NextStep } from '@/lib/mailboxes/status';
import { PROVIDERS } from '@/lib/providers';
import { DAY_MS, HOUR_MS, type Alert } from './alert';
import { findProfileConditions, profileAlertsForStaff, type ProfileConditions } from './profile-alerts';

/** Status columns only: never a token, never a secret. */
type MailboxFacts = Pick<Mailbox, 'id' | 'profileId' | 'approval' | 'connection' | 'status' | 'statusReason' | 'failingSince'> &
  Pick<ServerProfile, 'serverType' | 'authType' | 'clientError' | 'clientSecretExpiresAt'> & {
    refreshTokenObtainedAt: OauthGrant['refreshTokenObtainedAt'] | null;
    consentedAt: OauthGrant['consentedAt'] | null;
  };

/** What is wrong with the mailbox itself. */
type MailboxCondition = { kind: 'failing_day'; since: Date } | { kind: 'microsoft_stale'; renewedAt: Date; lifetimeMs: number };

function mailboxConditionsOf(mailbox: MailboxFacts, now: Date): MailboxCondition[] {
  const conditions: MailboxCondition[] = [];
  if (mailbox.failingSince && mailbox.failingSince.getTime() <= now.getTime() - DAY_MS) {
    conditions.push({ kind: 'failing_day', since: mailbox.failingSince });
  }
  const idle = PROVIDERS[mailbox.serverType].idleRefreshTokens;
  if (
    idle &&
    mailbox.connection !== 'not_connected' &&
    mailbox.refreshTokenObtainedAt &&
    mailbox.refreshTokenObtainedAt.getTime() <= now.getTime() - idle.staleAfterMs
  ) {
    conditions.push({ kind: 'microsoft_stale', renewedAt: mailbox.refreshTokenObtainedAt, lifetimeMs: idle.lifetimeMs });
  }
  return conditions;
}

function mailboxAlertsForStaff(conditions: MailboxCondition[]): Alert[] {
  return conditions.map((condition): Alert => {
    switch (condition.kind) {
      case 'failing_day':
        return {
          key: 'failing-day',
          tone: 'bad',
          title: phrase('alerts.staff.failingDay.title', { since: phraseMoment(condition.since) }),
          detail: phrase('alerts.staff.failingDay.detail'),
        };
      case 'microsoft_stale':
        return {
          key: 'microsoft-stale',
          tone: 'warn',
          title: phrase('alerts.staff.microsoftStale.title'),
          detail: phrase('alerts.staff.microsoftStale.detail'),
        };
    }
  });
}

/**
 * A profile's alerts as the mailbox's owner reads them: only what touches their mailbox, said as what
 * it means for them and whether anything is theirs to do. Warnings only admins act on (a secret that
 * expires next month) stay with the admins.
 */
function profileAlertsForOwner({ profile, conditions }: ProfileConditions, mailbox: MailboxFacts, now: Date): Alert[] {
  const provider = PROVIDERS[profile.serverType].company ?? 'none';
  const clientRefused = conditions.some((condition) => condition.kind === 'client_refused');
  return conditions.flatMap((condition): Alert[] => {
    switch (condition.kind) {
      case 'client_refused':
        return [
          {
            key: `client-refused:${profile.id}`,
            tone: 'bad',
            title: phrase('alerts.owner.clientRefused.title', { provider, profile: profile.name }),
            detail: phrase('alerts.owner.clientRefused.detail'),
          },
        ];
      case 'mass_failure': {
        const amongThem = mailbox.failingSince !== null && mailbox.failingSince.getTime() >= now.getTime() - HOUR_MS;
        // "Wait for the admins" would be wrong advice when this mailbox's own password or token was refused.
        if (!amongThem || ownCredentialsRefused(mailbox)) return [];
        return [
          {
            key: `mass-failure:${profile.id}`,
            tone: 'bad',
            title: phrase('alerts.owner.massFailure.title', { profile: profile.name }),
            detail: phrase('alerts.owner.massFailure.detail'),
          },
        ];
      }
      case 'tenant_refusal':
        // Only the mailboxes it refuses: the owner learns it is the tenant's, and what an admin can do.
        if (mailbox.status !== 'failing' || mailbox.statusReason?.code !== condition.code) return [];
        return [
          {
            key: `tenant-refusal:${condition.code}:${profile.id}`,
            tone: 'bad',
            title: phrase('alerts.owner.tenantRefusal.title', { provider, code: condition.code, profile: profile.name }),
            detail: phrase('alerts.owner.tenantRefusal.detail', { switchTo: condition.switchTo ?? 'none' }),
          },
        ];
      case 'testing_mode': {
        if (mailbox.connection === 'not_connected' || !mailbox.consentedAt) return [];
        const ends = new Date(mailbox.consentedAt.getTime() + condition.consentLifetimeMs);
        const ended = ends <= now ? 'yes' : 'no';
        return [
          {
            key: `testing-mode:${profile.id}`,
            tone: ended === 'yes' ? 'bad' : 'warn',
            title: phrase('alerts.owner.testingMode.title', { ended, date: phraseMoment(ends) }),
            detail: phrase('alerts.owner.testingMode.detail', { ended, profile: profile.name }),
          },
        ];
      }
      case 'client_secret':
        // Before it expires the secret is the admins' to renew; the refusal above already explains an expired one.
        if (!condition.expired || clientRefused) return [];
        return [
          {
            key: `client-secret:${profile.id}`,
            tone: 'bad',
            title: phrase('alerts.owner.clientSecret.title', { profile: profile.name, date: phraseMoment(condition.expiresAt) }),
            detail: phrase('alerts.owner.clientSecret.detail'),
          },
        ];
    }
  });
}

/** The mailbox's own sign-in was refused: its fix is its own, whatever fails around it. */
function ownCredentialsRefused(mailbox: MailboxFacts): boolean {
  return mailbox.connection === 'needs_reconnect' || credentialsRefused(mailbox.statusReason);
}

/** What the owner of a mailbox failing for a day does about it, by whose move it is now (nextStep). */
function failingDayAdviceForOwner(mailbox: MailboxFacts, step: NextStep): Phrase {
  switch (step.kind) {
    case 'profile':
      return phrase('alerts.owner.failingDay.advice.profile');
    case 'pending':
      return phrase('alerts.owner.failingDay.advice.pending');
    case 'not_connected':
    case 'needs_reconnect': {
      const button = step.kind === 'needs_reconnect' ? phrase('mailbox.connect.reconnect') : connectLabel(mailbox);
      const action =
        mailbox.authType === 'password' ? phrase('alerts.owner.failingDay.advice.enterPassword') : phrase('alerts.owner.failingDay.advice.click', { button });
      return phrase('alerts.owner.failingDay.advice.signIn', { action });
    }
    case 'failing':
      return phrase(step.actor === 'admin' ? 'alerts.owner.failingDay.advice.failingAdmin' : 'alerts.owner.failingDay.advice.failingOwner');
    default:
      // Enabled again since it failed: only a passing test says it works again.
      return phrase('alerts.owner.failingDay.advice.testAgain');
  }
}

function mailboxAlertsForOwner(conditions: MailboxCondition[], mailbox: MailboxFacts, step: NextStep): Alert[] {
  return conditions.map((condition): Alert => {
    switch (condition.kind) {
      case 'failing_day':
        return {
          key: 'failing-day',
          tone: 'bad',
          title: phrase('alerts.owner.failingDay.title', { since: phraseMoment(condition.since) }),
          detail: failingDayAdviceForOwner(mailbox, step),
        };
      case 'microsoft_stale': {
        const ends = new Date(condition.renewedAt.getTime() + condition.lifetimeMs);
        return {
          key: 'microsoft-stale',
          tone: 'warn',
          title: phrase('alerts.owner.microsoftStale.title', { date: phraseMoment(condition.renewedAt) }),
          detail: phrase('alerts.owner.microsoftStale.detail', { ends: phraseMoment(ends) }),
        };
      }
    }
  });
}

/**
 * The alerts of one mailbox, its profile's first, for whoever looks at it: admins and support get
 * every alert in their words; the owner gets what concerns their mailbox, in theirs. A mailbox the
 * viewer may not see has none.
 */
export async function findMailboxAlerts({ viewer, mailboxId, now = new Date() }: { viewer: Viewer; mailboxId: string; now?: Date }): Promise<Alert[]> {
  const [mailbox] = await db
    .select({
      id: mailboxes.id,
      profileId: mailboxes.profileId,
      approval: mailboxes.approval,
      connection: mailboxes.connection,
      status: mailboxes.status,
      statusReason: mailboxes.statusReason,
      failingSince: mailboxes.failingSince,
      serverType: serverProfiles.serverType,
      authType: serverProfiles.authType,
      clientError: serverProfiles.clientError,
      clientSecretExpiresAt: serverProfiles.clientSecretExpiresAt,
      refreshTokenObtainedAt: oauthGrants.refreshTokenObtainedAt,
      consentedAt: oauthGrants.consentedAt,
    })
    .from(mailboxes)
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
    .where(and(eq(mailboxes.id, mailboxId), mailboxScope(viewer)))
    .limit(1);
  if (!mailbox) return [];
  const [profile] = await findProfileConditions({ now, profileId: mailbox.profileId });
  const mailboxConditions = mailboxConditionsOf(mailbox, now);
  if (viewer.role !== 'owner') return [...(profile ? profileAlertsForStaff(profile) : []), ...mailboxAlertsForStaff(mailboxConditions)];
  const step = nextStep(mailbox, mailbox, now);
  // A disabled mailbox or a rejected address cannot sync whatever else is wrong, and its next step says an admin holds it.
  if (step.kind === 'disabled' || step.kind === 'rejected') return [];
  return [...(profile ? profileAlertsForOwner(profile, mailbox, now) : []), ...mailboxAlertsForOwner(mailboxConditions, mailbox, step)];
}
