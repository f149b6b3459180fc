import type { Mailbox, OauthGrant, ServerProfile, StoredError } from '@/db/schema';
import { mailScopesOf } from '@/lib/oauth/oauth-app';
import { PROVIDERS } from '@/lib/providers';
import { isOAuth, type IncomingProtocol, type OutgoingProtocol } from '@/lib/providers/provider';
import { isRefreshDueBy } from './token-freshness';

/** Where a mailbox's tokens stand, as support staff need to read it. */
export type TokenState = 'none' | 'valid' | 'expiring' | 'refresh_failing' | 'revoked';

export const TOKEN_STATES = ['none', 'valid', 'expiring', 'refresh_failing', 'revoked'] as const satisfies readonly TokenState[];

export const TOKEN_SORTS = ['address', 'expiry', 'last_refresh', 'refresh_age', 'consent', 'failing_since'] as const;
export type TokenSort = (typeof TOKEN_SORTS)[number];

/** Shortcuts the overview and the alerts link to. */
export const TOKEN_DUE = ['token', 'consent', 'failing_day', 'microsoft_stale'] as const;
export type TokenDue = (typeof TOKEN_DUE)[number];

/** The consent of a Testing app ending within this makes the token expiring. */
export const CONSENT_ENDING_MS = 24 * 60 * 60 * 1000;

/** The grant's status columns only: the token columns are never read for status pages. */
export type GrantStatusFields = Pick<
  OauthGrant,
  'account' | 'scopes' | 'accessTokenExpiresAt' | 'lastRefreshAt' | 'refreshTokenObtainedAt' | 'consentedAt' | 'lastError' | 'revokedAt'
>;

export type TokenStatusInput = {
  mailbox: Pick<Mailbox, 'connection' | 'statusReason'>;
  profile: Pick<ServerProfile, 'serverType' | 'publishingStatus' | 'scopes'>;
  grant: GrantStatusFields | null;
  now?: Date;
};

/** API.md's Token status shape. */
export type TokenStatus = {
  state: TokenState;
  account: string | null;
  scopes: string[];
  missingScopes: string[];
  accessTokenExpiresAt: string | null;
  lastRefreshAt: string | null;
  refreshTokenObtainedAt: string | null;
  consentExpiresAt: string | null;
  lastError: StoredError | null;
};

/**
 * What the mailbox's access token is for: the profile's protocols, and the resource (audience) it is
 * issued for at providers that issue one token per resource (Microsoft: Graph, or outlook.office.com
 * for IMAP, POP and SMTP). The resource is null where one token serves every protocol (Google) and
 * for a profile signing in with passwords, which has no token.
 */
export type TokenPurpose = {
  protocols: { incoming: IncomingProtocol; outgoing: OutgoingProtocol };
  resource: string | null;
};

/**
 * When a business system (a service account) last fetched the mailbox's access token, and which one:
 * its name, or its email when it has none; null when none ever did. Read apart from the status
 * (lib/tokens/system-use.ts), by mailbox ids.
 */
export type LastSystemUse = { at: string; serviceId: string | null; service: string | null } | null;

/** A token status with what its token is for, as the API and the pages show it. */
export type MailboxTokenStatus = TokenStatus & TokenPurpose;

export function tokenPurposeOf(profile: Pick<ServerProfile, 'serverType' | 'authType' | 'incomingProtocol' | 'outgoingProtocol'>): TokenPurpose {
  const provider = PROVIDERS[profile.serverType];
  // Validation refuses a profile whose directions need two resources: the incoming one names the token's.
  const resource = isOAuth(profile.authType) ? provider.resourceOf(profile.incomingProtocol) : null;
  return { protocols: { incoming: profile.incomingProtocol, outgoing: profile.outgoingProtocol }, resource };
}

/** When the consent of an app in Testing ends (a Google one's refresh tokens live 7 days); null otherwise. */
export function consentExpiresAt(
  profile: Pick<ServerProfile, 'serverType' | 'publishingStatus'>,
  grant: Pick<OauthGrant, 'consentedAt'> | null,
): Date | null {
  const testingApps = PROVIDERS[profile.serverType].testingApps;
  if (!grant || !testingApps || profile.publishingStatus !== 'testing') return null;
  return new Date(grant.consentedAt.getTime() + testingApps.consentLifetimeMs);
}

/** The mail scopes the profile asks for that the grant lacks (identity scopes do not count). */
export function missingScopesOf(profileScopes: string[], grantScopes: string[]): string[] {
  const granted = new Set(grantScopes);
  return mailScopesOf({ scopes: profileScopes }).filter((scope) => !granted.has(scope));
}

export function deriveTokenState({ mailbox, profile, grant, now = new Date() }: TokenStatusInput): TokenState {
  if (!grant || mailbox.connection === 'not_connected') return 'none';
  if (mailbox.connection === 'needs_reconnect' || grant.revokedAt) return 'revoked';
  if (grant.lastError) return 'refresh_failing';
  // The background check refreshes such a token before it stops being fresh: past that, none happened in time.
  if (isRefreshDueBy(grant, now)) return 'expiring';
  const consentEnds = consentExpiresAt(profile, grant);
  if (consentEnds && consentEnds.getTime() <= now.getTime() + CONSENT_ENDING_MS) return 'expiring';
  return 'valid';
}

/** The error to show: the grant's own, or the reason the mailbox was sent back to reconnect. */
function lastErrorOf(input: TokenStatusInput, state: TokenState): StoredError | null {
  if (state === 'none') return null;
  return input.grant?.lastError ?? (state === 'revoked' ? input.mailbox.statusReason : null);
}

export function toTokenStatus(input: TokenStatusInput): TokenStatus {
  const state = deriveTokenState(input);
  const grant = state === 'none' ? null : input.grant;
  return {
    state,
    account: grant?.account ?? null,
    scopes: grant?.scopes ?? [],
    missingScopes: grant ? missingScopesOf(input.profile.scopes, grant.scopes) : [],
    accessTokenExpiresAt: grant?.accessTokenExpiresAt?.toISOString() ?? null,
    lastRefreshAt: grant?.lastRefreshAt?.toISOString() ?? null,
    refreshTokenObtainedAt: grant?.refreshTokenObtainedAt?.toISOString() ?? null,
    consentExpiresAt: consentExpiresAt(input.profile, grant)?.toISOString() ?? null,
    lastError: lastErrorOf(input, state),
  };
}

export const TOKEN_STATE_TONES: Record<TokenState, 'neutral' | 'good' | 'bad' | 'warn'> = {
  none: 'neutral',
  valid: 'good',
  expiring: 'warn',
  refresh_failing: 'bad',
  revoked: 'bad',
};
