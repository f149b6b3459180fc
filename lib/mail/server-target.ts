import type { ServerProfile } from '@/db/schema';
import { GMAIL_API_ROOT } from '@/lib/providers/gmail';
import { GRAPH_API_ROOT } from '@/lib/providers/microsoft365';
import type { ApiProtocol } from '@/lib/providers/provider';

/** A mail server to reach: where, and how its connection is secured. */
export type ServerTarget = {
  host: string;
  port: number;
  security: NonNullable<ServerProfile['incomingSecurity']>;
};

/**
 * The socket server of a profile's direction, or null when that direction goes through a web API
 * (Microsoft Graph, the Gmail API), which has no host of the profile's own.
 */
export function socketTargetOf(
  profile: Pick<ServerProfile, 'incomingHost' | 'incomingPort' | 'incomingSecurity' | 'outgoingHost' | 'outgoingPort' | 'outgoingSecurity'>,
  direction: 'incoming' | 'outgoing',
): ServerTarget | null {
  const [host, port, security] =
    direction === 'incoming'
      ? [profile.incomingHost, profile.incomingPort, profile.incomingSecurity]
      : [profile.outgoingHost, profile.outgoingPort, profile.outgoingSecurity];
  return host !== null && port !== null && security !== null ? { host, port, security } : null;
}

/** "host:port", or the web API's name, as messages name where a direction goes. */
export function directionServerName(
  profile: Parameters<typeof socketTargetOf>[0] & Pick<ServerProfile, 'incomingProtocol' | 'outgoingProtocol'>,
  direction: 'incoming' | 'outgoing',
): string {
  const target = socketTargetOf(profile, direction);
  if (target) return `${target.host}:${target.port}`;
  const protocol = direction === 'incoming' ? profile.incomingProtocol : profile.outgoingProtocol;
  return protocol === 'graph' ? 'Microsoft Graph' : 'Gmail API';
}

/** The root of a profile's web API: its endpoints.api, which validation requires; the provider's own otherwise. */
export function apiRootOf(profile: Pick<ServerProfile, 'apiEndpoint'>, protocol: ApiProtocol): string {
  return profile.apiEndpoint ?? (protocol === 'graph' ? GRAPH_API_ROOT : GMAIL_API_ROOT);
}

/** Where a web API's requests go, as the tester names the server in its messages (host:port). */
export function apiTargetOf(apiRoot: string): ServerTarget {
  const url = new URL(apiRoot);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || 443, security: 'tls' };
}
