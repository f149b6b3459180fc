// Plain data and pure functions: the profile form imports these in the browser too.
import type { ServerType } from './presets';

/**
 * The only hosts a Gmail or Microsoft 365 profile may send anything to: its client secret and its
 * mailboxes' refresh tokens belong to the provider, so no edit can point them anywhere else.
 * Microsoft's national clouds are included (US Government GCC High and DoD, China operated by 21Vianet).
 * Custom profiles name their own endpoints instead.
 */
export const PROVIDER_HOSTS: Record<Exclude<ServerType, 'custom'>, readonly string[]> = {
  gmail: ['accounts.google.com', 'oauth2.googleapis.com', 'openidconnect.googleapis.com', 'www.googleapis.com'],
  microsoft365: [
    'login.microsoftonline.com',
    'login.microsoftonline.us',
    'login.partner.microsoftonline.cn',
    'login.chinacloudapi.cn',
    'graph.microsoft.com',
    'graph.microsoft.us',
    'dod-graph.microsoft.us',
    'microsoftgraph.chinacloudapi.cn',
  ],
};

const PROVIDER_NAMES = { gmail: 'Google', microsoft365: 'Microsoft' } as const;

/**
 * Why `url` cannot be an endpoint of a Gmail or Microsoft 365 profile, or null when it can: https on
 * the provider's own host and default port, with no user name or password in it. `extraOrigins`
 * (MAILROOM_EXTRA_PROVIDER_ORIGINS, a test lab's stand-ins for the providers) are accepted as they are.
 */
export function providerEndpointProblem({
  serverType,
  url,
  extraOrigins,
}: {
  serverType: ServerType;
  url: string;
  extraOrigins: readonly string[];
}): string | null {
  if (serverType === 'custom') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // The URL rules name a malformed URL themselves.
  }
  if (extraOrigins.includes(parsed.origin) && !parsed.username && !parsed.password) return null;
  const hosts = PROVIDER_HOSTS[serverType];
  const onProviderHost =
    parsed.protocol === 'https:' && parsed.port === '' && !parsed.username && !parsed.password && hosts.includes(parsed.hostname);
  if (onProviderHost) return null;
  return `${PROVIDER_NAMES[serverType]} profiles only reach ${PROVIDER_NAMES[serverType]}: use https:// on ${hosts.join(', ')}. Choose Custom to name other endpoints.`;
}
