// Plain data and pure functions: the profile form imports these in the browser too.
import { phrase } from '@/lib/i18n/phrase';
import type { Phrase } from '@/lib/i18n/render';
import { PROVIDERS, type ProviderId } from '@/lib/providers';

/**
 * Why `url` cannot be an endpoint of a profile whose provider pins its hosts (Gmail, Microsoft 365), or
 * null when it can: https on the provider's own host and default port, with no user name or password
 * in it. Its client secret and its mailboxes' refresh tokens belong to the provider, so no edit can
 * point them anywhere else. `extraOrigins` (MAILROOM_EXTRA_PROVIDER_ORIGINS, a test lab's stand-ins
 * for the providers) are accepted as they are. Custom profiles name their own endpoints instead.
 */
export function providerEndpointProblem({
  serverType,
  url,
  extraOrigins,
}: {
  serverType: ProviderId;
  url: string;
  extraOrigins: readonly string[];
}): Phrase | null {
  const { pinnedHosts: hosts, company } = PROVIDERS[serverType];
  if (!hosts) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // The URL rules name a malformed URL themselves.
  }
  if (extraOrigins.includes(parsed.origin) && !parsed.username && !parsed.password) return null;
  const onProviderHost =
    parsed.protocol === 'https:' && parsed.port === '' && !parsed.username && !parsed.password && hosts.includes(parsed.hostname);
  if (onProviderHost) return null;
  return phrase('validation.profile.providerHost', { company: company ?? '', hosts: hosts.join(', ') });
}
