import { BlockList, isIP } from 'node:net';

/**
 * What an IP address literal in a profile points at, judged when the profile is saved (the request
 * itself is judged again after name resolution, in lib/net). Host names that are not literals are
 * `null`: only resolving them tells, and that happens at request time.
 */
export type LiteralAddressKind = 'public' | 'internal' | 'never';

/** Link-local (cloud metadata services), "this network", multicast and reserved: never a mail or OAuth server. */
const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('240.0.0.0', 4, 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');
NEVER.addSubnet('fd00:ec2::254', 128, 'ipv6');

/** Loopback and private ranges: only profiles marked as internal servers point there. */
const INTERNAL = new BlockList();
INTERNAL.addSubnet('127.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('10.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('172.16.0.0', 12, 'ipv4');
INTERNAL.addSubnet('192.168.0.0', 16, 'ipv4');
INTERNAL.addSubnet('100.64.0.0', 10, 'ipv4');
INTERNAL.addSubnet('198.18.0.0', 15, 'ipv4');
INTERNAL.addAddress('::1', 'ipv6');
INTERNAL.addSubnet('fc00::', 7, 'ipv6');

/** The IPv4 address inside an IPv4-mapped or IPv4-compatible IPv6 address, as the URL parser writes them (`::ffff:7f00:1`). */
function embeddedIpv4(ipv6: string): string | null {
  const match = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ipv6);
  if (!match) return null;
  const high = Number.parseInt(match[1]!, 16);
  const low = Number.parseInt(match[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

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

function judge(address: string, family: 'ipv4' | 'ipv6'): LiteralAddressKind {
  if (NEVER.check(address, family)) return 'never';
  if (INTERNAL.check(address, family)) return 'internal';
  return 'public';
}

export function literalAddressKind(host: string): LiteralAddressKind | null {
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'internal';
  const normalized = normalizedHost(lower);
  if (!normalized) return null;
  const family = isIP(normalized);
  if (family === 4) return judge(normalized, 'ipv4');
  if (family !== 6) return null;
  const ipv4 = embeddedIpv4(normalized);
  if (ipv4) return judge(ipv4, 'ipv4');
  return judge(normalized, 'ipv6');
}
