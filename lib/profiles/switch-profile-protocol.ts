import 'server-only';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, type ServerProfile } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { PROVIDERS } from '@/lib/providers';
import { isApiProtocol, isOAuth, type ApiProtocol, type MailProtocol, type SocketProtocol } from '@/lib/providers/provider';
import { presetFor } from './presets';
import { countProfileGrants, getProfileById, updateProfile, type ProfileUpdate } from './profiles';

/**
 * The test failures (lib/mailboxes/status.ts) that a move to the provider's web API ends: SMTP AUTH
 * turned off (Microsoft's 535 5.7.139), IMAP turned off (a Workspace domain, an Exchange mailbox).
 * Graph and the Gmail API need neither.
 */
export const FAILURES_ENDED_BY_API_SWITCH = ['smtp_auth_disabled', 'imap_disabled'] as const;
export type FailureEndedByApiSwitch = (typeof FAILURES_ENDED_BY_API_SWITCH)[number];

type SwitchableProfile = Pick<ServerProfile, 'serverType' | 'authType' | 'tenant' | 'incomingProtocol' | 'outgoingProtocol' | 'apiEndpoint'>;

/** What moving a profile to its provider's web API, both ways, would change. */
export type ApiSwitch = {
  apiProtocol: ApiProtocol;
  /** The scopes the profile asks for afterwards: the preset's for the API, identity scopes included. */
  scopes: string[];
  /** The API root the mailboxes' access tokens are then sent to. */
  apiEndpoint: string;
  /** The protocols over the provider's mail servers the profile stops using, and the server switches it stops needing. */
  leaving: SocketProtocol[];
};

const isSocketProtocol = (protocol: MailProtocol): protocol is SocketProtocol => !isApiProtocol(protocol);

/**
 * The switch a profile is offered, or null when there is none: its provider has no web API (a custom
 * server), it signs in with passwords (the APIs take OAuth access tokens only), or it already uses
 * the API both ways. Both directions move together: Microsoft issues a token for one resource at a
 * time, so Graph for one direction means Graph for both.
 */
export function apiSwitchOf(profile: SwitchableProfile): ApiSwitch | null {
  const { apiProtocol } = PROVIDERS[profile.serverType];
  if (!apiProtocol || !isOAuth(profile.authType)) return null;
  if (profile.incomingProtocol === apiProtocol && profile.outgoingProtocol === apiProtocol) return null;
  const preset = presetFor({
    serverType: profile.serverType,
    authType: profile.authType,
    tenant: profile.tenant,
    incomingProtocol: apiProtocol,
    outgoingProtocol: apiProtocol,
  });
  return {
    apiProtocol,
    scopes: preset.scopes,
    // A Gmail profile already sending through the API keeps the root it names.
    apiEndpoint: profile.apiEndpoint ?? preset.endpoints.api!,
    leaving: [...new Set([profile.incomingProtocol, profile.outgoingProtocol])].filter(isSocketProtocol),
  };
}

export type FailingByCause = { profileId: string; code: string; failing: number };

/** Failing mailboxes per profile (or of one profile) whose recorded failure is one of `codes`. */
export async function countFailingMailboxesByCause({ codes, profileId }: { codes: readonly string[]; profileId?: string }): Promise<FailingByCause[]> {
  if (codes.length === 0) return [];
  const code = sql<string>`${mailboxes.statusReason}->>'code'`;
  return db
    .select({ profileId: mailboxes.profileId, code, failing: count() })
    .from(mailboxes)
    .where(and(profileId ? eq(mailboxes.profileId, profileId) : undefined, eq(mailboxes.status, 'failing'), inArray(code, [...codes])))
    .groupBy(mailboxes.profileId, code);
}

/** The switch as the profile page offers it, with what it costs and what it fixes. */
export type ApiSwitchOffer = ApiSwitch & {
  /** Mailboxes holding tokens, which the switch deletes: each must connect again. */
  mailboxesToReconnect: number;
  /** The profile's mailboxes failing for a reason the switch ends, by failure class; empty when none. */
  failing: { code: FailureEndedByApiSwitch; count: number }[];
};

export async function getApiSwitchOffer({ profile }: { profile: ServerProfile }): Promise<ApiSwitchOffer | null> {
  const offer = apiSwitchOf(profile);
  if (!offer) return null;
  const [mailboxesToReconnect, failing] = await Promise.all([
    countProfileGrants({ profileId: profile.id }),
    countFailingMailboxesByCause({ codes: FAILURES_ENDED_BY_API_SWITCH, profileId: profile.id }),
  ]);
  return {
    ...offer,
    mailboxesToReconnect,
    failing: FAILURES_ENDED_BY_API_SWITCH.flatMap((code) => failing.filter((row) => row.code === code).map((row) => ({ code, count: row.failing }))),
  };
}

/**
 * Moves the profile to its provider's web API both ways, through the same change as a PATCH of the
 * profile: the scopes and the API root come from the preset (or `apiEndpoint`, for a lab or a national
 * cloud), hosts and ports go, the mailboxes' grants end (they connect again) and the change is audited
 * as `profile.update`. Callers check the caller's role: only admins switch.
 */
export async function switchProfileToApi({
  actor,
  profileId,
  apiEndpoint,
}: {
  actor: AuditActor;
  profileId: string;
  apiEndpoint?: string;
}): Promise<ProfileUpdate & { apiProtocol: ApiProtocol }> {
  const profile = await getProfileById({ id: profileId });
  if (!profile) throw notFound('serverProfile');
  const offer = apiSwitchOf(profile);
  if (!offer) throw new AppError('CONFLICT', phrase('problems.profiles.apiSwitchNotOffered', { name: profile.name }));
  const update = await updateProfile({
    actor,
    id: profile.id,
    input: {
      incoming: { protocol: offer.apiProtocol },
      outgoing: { protocol: offer.apiProtocol },
      scopes: offer.scopes,
      endpoints: { api: apiEndpoint?.trim() || offer.apiEndpoint },
    },
  });
  return { ...update, apiProtocol: offer.apiProtocol };
}
