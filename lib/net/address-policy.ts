import { lookup } from 'node:dns/promises';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Never reachable: link-local (where cloud metadata services live), "this network", multicast, reserved. */
const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('240.0.0.0', 4, 'ipv4');
NEVER.addSubnet('100.100.100.200', 32, 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');
NEVER.addSubnet('fd00:ec2::254', 128, 'ipv6');

/** Reachable only when the profile is marked as an internal server. */
const INTERNAL = new BlockList();
INTERNAL.addSubnet('127.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('10.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('172.16.0.0', 12, 'ipv4');
INTERNAL.addSubnet('192.168.0.0', 16, 'ipv4');
INTERNAL.addSubnet('100.64.0.0', 10, 'ipv4');
INTERNAL.addSubnet('198.18.0.0', 15, 'ipv4');
INTERNAL.addAddress('::1', 'ipv6');
INTERNAL.addSubnet('fc00::', 7, 'ipv6');
INTERNAL.addSubnet('fec0::', 10, 'ipv6');

export type AddressVerdict = 'allowed' | 'internal' | 'never';

/** The eight 16-bit groups of an IPv6 address, whatever its spelling (`::` shorthand, dotted IPv4 tail, zone id). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const bytes = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const before = parse(head);
  const after = parse(tail);
  const gap = tail === undefined ? [] : Array<number>(8 - before.length - after.length).fill(0);
  return [...before, ...gap, ...after];
}

const ipv4Of = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');

/**
 * The IPv4 address an IPv6 address carries and reaches: IPv4-mapped (`::ffff:7f00:1`),
 * IPv4-translated (`::ffff:0:7f00:1`), IPv4-compatible (`::7f00:1`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`); null for a plain IPv6 address.
 */
function embeddedIpv4(address: string): string | null {
  const groups = ipv6Groups(address);
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group))) return null;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return ipv4Of(groups[6]!, groups[7]!);
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return ipv4Of(groups[6]!, groups[7]!);
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as such.
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1)) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return ipv4Of(groups[1]!, groups[2]!);
  return null;
}

/** Where an address stands: anyone may reach it, only internal profiles, or nobody. Anything that is not an IP address is never reached. */
export function judgeAddress(address: string): AddressVerdict {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) {
    if (NEVER.check(bare, 'ipv4')) return 'never';
    return INTERNAL.check(bare, 'ipv4') ? 'internal' : 'allowed';
  }
  if (!isIPv6(bare)) return 'never';
  const carried = embeddedIpv4(bare);
  if (carried) return judgeAddress(carried);
  const plain = bare.replace(/%.*$/, '');
  if (NEVER.check(plain, 'ipv6')) return 'never';
  return INTERNAL.check(plain, 'ipv6') ? 'internal' : 'allowed';
}

export class BlockedAddressError extends Error {
  readonly code = 'BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly verdict: Exclude<AddressVerdict, 'allowed'>,
  ) {
    super(
      verdict === 'never'
        ? `${host} resolves to ${address}, a link-local or reserved address that is never connected to.`
        : `${host} resolves to ${address}, a loopback or private address, and the profile is not marked as an internal server.`,
    );
    this.name = 'BlockedAddressError';
  }
}

/**
 * Resolves a host once and refuses it when any of its addresses is off limits, so that a profile
 * cannot point the portal at cloud metadata or, unless marked internal, at the portal's own network.
 * The caller connects to the address returned, never to the name again (no second resolution to race).
 */
export async function resolveAllowedAddress({ host, internalServer }: { host: string; internalServer: boolean }): Promise<{ address: string; all: string[] }> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIPv4(bare) || isIPv6(bare) ? [bare] : (await lookup(bare, { all: true, verbatim: true })).map((entry) => entry.address);
  for (const address of addresses) {
    const verdict = judgeAddress(address);
    if (verdict === 'never' || (verdict === 'internal' && !internalServer)) throw new BlockedAddressError(host, address, verdict);
  }
  return { address: addresses[0]!, all: addresses };
}
