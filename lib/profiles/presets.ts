// Plain data and pure functions: the profile form imports these in the browser to pre-fill fields.
import { PROVIDERS, type ProviderId } from '@/lib/providers';
import { isOAuth, type AuthType, type PresetKey, type ProfilePreset } from '@/lib/providers/provider';

// Server type, auth type and client authentication labels are words of the portal: messages
// `providers.<id>.label`, `profiles.authTypes.*` and `profiles.tokenEndpointAuthMethods.*`.

export const MAX_MAILBOX_CAP = 100_000;

export const ADVANCED_DEFAULTS = {
  processEmailFrom: null,
  minPollingIntervalMinutes: 5,
  maxConcurrentConnections: 10,
  moveFailedToUndeliverable: false,
  connectionTimeoutSeconds: 30,
  sendRatePerMinute: 30,
  queuedMessageExpiryHours: 24,
} as const;

export function allowsPublicClient(serverType: ProviderId, authType: AuthType): boolean {
  return PROVIDERS[serverType].publicClientRefusal === null && isOAuth(authType);
}

export function defaultAuthType(serverType: ProviderId): AuthType {
  return PROVIDERS[serverType].authTypes[0]!;
}

/** What a profile of this kind holds unless someone changes it. */
export function presetFor({ serverType, ...key }: PresetKey & { serverType: ProviderId }): ProfilePreset {
  return PROVIDERS[serverType].preset(key);
}
