import 'server-only';
import { and, eq } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type Mailbox, type OauthGrant, type ServerProfile } from '@/db/schema';
import { mailboxScope, type Viewer } from '@/lib/mailboxes/mailboxes';
import { connectLabel, credentialsRefused, nextStep, type NextStep } from '@/lib/mailboxes/status';
import { PROVIDERS } from '@/lib/providers';
import { day, DAY_MS, HOUR_MS, minute, type Alert } from './alert';
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
          title: `Failing since ${minute(condition.since)}, more than a day`,
          detail: 'The reason and its fix are shown with the last error.',
        };
      case 'microsoft_stale':
        return {
          key: 'microsoft-stale',
          tone: 'warn',
          title: 'The Microsoft refresh token was not renewed for 60 days',
          detail: 'It dies after 90 days unused: run a check to renew it, or ask the owner to reconnect.',
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
  const provider = PROVIDERS[profile.serverType].company ?? 'The mail server';
  const clientRefused = conditions.some((condition) => condition.kind === 'client_refused');
  return conditions.flatMap((condition): Alert[] => {
    switch (condition.kind) {
      case 'client_refused':
        return [
          {
            key: `client-refused:${profile.id}`,
            tone: 'bad',
            title: `${provider} is refusing Mailroom’s access for every mailbox on ${profile.name}`,
            detail:
              'This is not caused by your mailbox, and reconnecting will not help: the server profile needs fixing. Your admins see this on their dashboard and fix it there; there is nothing for you to do.',
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
            title: `Most mailboxes on ${profile.name} started failing in the last hour, yours among them`,
            detail:
              'So the cause is most likely the mail server or the profile’s settings, not your mailbox. Your admins see this on their dashboard; wait for them before changing anything on your side.',
          },
        ];
      }
      case 'testing_mode': {
        if (mailbox.connection === 'not_connected' || !mailbox.consentedAt) return [];
        const ends = new Date(mailbox.consentedAt.getTime() + condition.consentLifetimeMs);
        const ended = ends <= now;
        return [
          {
            key: `testing-mode:${profile.id}`,
            tone: ended ? 'bad' : 'warn',
            title: `Google ${ended ? 'ended' : 'ends'} this mailbox’s connection on ${day(ends)}`,
            detail: `${profile.name} uses a Google app that is still in testing, so each connection lasts 7 days. ${
              ended ? 'Connect again' : 'Reconnect on or before that day'
            } with Reconnect under Connection to keep your mail flowing; an admin can end this for good by publishing the app.`,
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
            title: `Mailroom’s access for the mailboxes on ${profile.name} expired on ${day(condition.expiresAt)}`,
            detail:
              'Mail may stop until an admin renews the app secret of the server profile. This is not caused by your mailbox, and there is nothing for you to do.',
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
function failingDayAdviceForOwner(mailbox: MailboxFacts, step: NextStep): string {
  switch (step.kind) {
    case 'profile':
      return 'The cause is the server profile’s problem above, not your mailbox: once an admin has fixed it and that notice is gone, run Test and activate again.';
    case 'pending':
      return 'Its address waits for an admin’s approval; once approved, run Test and activate again.';
    case 'not_connected':
    case 'needs_reconnect': {
      const action =
        mailbox.authType === 'password'
          ? 'enter the mailbox password again'
          : `click ${step.kind === 'needs_reconnect' ? 'Reconnect' : connectLabel(mailbox)} and sign in`;
      return `Mailroom can no longer sign in to it: ${action} under Connection, then run Test and activate.`;
    }
    case 'failing':
      return step.actor === 'admin'
        ? 'Why it fails is under “Where it stands”: it is for an admin to fix, not you, and they see this mailbox on their dashboard too. There is nothing for you to do.'
        : 'Why it fails, and what to do about it, is under “Where it stands”: do it, then run Test and activate again.';
    default:
      // Enabled again since it failed: only a passing test says it works again.
      return 'Run Test and activate to check it and put it back to work.';
  }
}

function mailboxAlertsForOwner(conditions: MailboxCondition[], mailbox: MailboxFacts, step: NextStep): Alert[] {
  return conditions.map((condition): Alert => {
    switch (condition.kind) {
      case 'failing_day':
        return {
          key: 'failing-day',
          tone: 'bad',
          title: `Your mailbox has been failing for more than a day, since ${minute(condition.since)}`,
          detail: failingDayAdviceForOwner(mailbox, step),
        };
      case 'microsoft_stale': {
        const ends = new Date(condition.renewedAt.getTime() + condition.lifetimeMs);
        return {
          key: 'microsoft-stale',
          tone: 'warn',
          title: `Your Microsoft 365 connection was last renewed on ${day(condition.renewedAt)}`,
          detail: `Microsoft ends a connection that goes 90 days without renewal, this one on ${day(ends)}. Run Test and activate to renew it; if the test fails, click Reconnect under Connection.`,
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
