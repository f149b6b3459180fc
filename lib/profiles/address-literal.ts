import { isIP } from 'node:net';
import { judgeAddress } from '@/lib/net/address-policy';

/**
 * What an IP address literal in a profile points at, judged when the profile is saved (the request
 * itself is judged again after name resolution, in lib/net). Host names that are not literals are
 * `null`: only resolving them tells, and that happens at request time.
 */
export type LiteralAddressKind = 'public' | 'internal' | 'never';

/** The host as the WHATWG URL parser normalizes it: `0x7f.1` and `2130706433` become 127.0.0.1, IPv6 is compressed. */
function normalizedHost(host: string): string | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  try {
    const hostname = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}/`).hostname;
    return hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

/** The same judgement the outbound guard makes after resolving a name, made here on a literal at save time. */
export function literalAddressKind(host: string): LiteralAddressKind | null {
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'internal';
  const normalized = normalizedHost(lower);
  if (!normalized || !isIP(normalized)) return null;
  const verdict = judgeAddress(normalized);
  return verdict === 'allowed' ? 'public' : verdict;
}
