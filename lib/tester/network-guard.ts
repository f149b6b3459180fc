import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Never reachable from the tester: link-local (where cloud metadata services live), "this network", multicast. */
const NEVER = new BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('240.0.0.0', 4, 'ipv4');
NEVER.addSubnet('100.100.100.200', 32, 'ipv4');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');
NEVER.addSubnet('fd00:ec2::254', 128, 'ipv6');
NEVER.addAddress('::', 'ipv6');

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

export type AddressVerdict = 'allowed' | 'internal' | 'never';

/** IPv4-mapped IPv6 addresses (::ffff:169.254.169.254) are judged as the IPv4 address they carry. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function judgeAddress(address: string): AddressVerdict {
  const { address: plain, family } = unmapped(address);
  if (NEVER.check(plain, family)) return 'never';
  if (INTERNAL.check(plain, family)) return 'internal';
  return 'allowed';
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
        ? `${host} resolves to ${address}, a link-local or reserved address the tester never connects to.`
        : `${host} resolves to ${address}, a loopback or private address, and the profile is not marked as an internal server.`,
    );
    this.name = 'BlockedAddressError';
  }
}

/**
 * Resolves a host and refuses it when any of its addresses is off limits, so that a profile cannot
 * point the tester at cloud metadata or, unless marked internal, at the portal's own network. The
 * caller connects to the address returned, never to the name again (no second resolution to race).
 */
export async function resolveAllowedAddress({ host, internalServer }: { host: string; internalServer: boolean }): Promise<{ address: string; all: string[] }> {
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  for (const address of addresses) {
    const verdict = judgeAddress(address);
    if (verdict === 'never' || (verdict === 'internal' && !internalServer)) throw new BlockedAddressError(host, address, verdict);
  }
  return { address: addresses[0]!, all: addresses };
}
