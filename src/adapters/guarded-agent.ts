import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** Which kinds of address outbound HTTP (push deliveries, callbacks) may connect to. */
export interface OutboundPolicy {
  /** 127.0.0.0/8 and ::1: the gateway's own host. Only for development and single-host set-ups. */
  allowLoopback: boolean;
  /** 169.254.0.0/16 and fe80::/10 — where cloud metadata services (169.254.169.254) live. */
  allowLinkLocal: boolean;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');
const unspecified = new BlockList();
unspecified.addSubnet('0.0.0.0', 8, 'ipv4');
unspecified.addAddress('::', 'ipv6');

/** Why an address may not be connected to under the policy, or undefined when it may. */
export function refusedAddress(address: string, policy: OutboundPolicy): string | undefined {
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it maps
  const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
  if (unspecified.check(plain, family)) return 'unspecified address';
  if (!policy.allowLoopback && loopback.check(plain, family)) return 'loopback address';
  if (!policy.allowLinkLocal && linkLocal.check(plain, family)) return 'link-local address';
  return undefined;
}

export class OutboundAddressRefused extends Error {
  readonly code = 'AMTSBOTE_OUTBOUND_ADDRESS_REFUSED';
  constructor(reason: string) {
    super(`outbound connection refused: ${reason}`);
    this.name = 'OutboundAddressRefused';
  }
}

/**
 * An undici Agent that checks every address it connects to — after DNS resolution, so a host name that
 * resolves to a loopback or metadata address (or is rebound to one) is refused like an IP literal.
 */
export function guardedAgent(
  policy: OutboundPolicy,
  options: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number },
): Agent {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = addresses.filter((a) => refusedAddress(a.address, policy) === undefined);
      const first = allowed[0];
      if (!first) {
        callback(
          new OutboundAddressRefused(refusedAddress(addresses[0]?.address ?? '', policy) ?? 'no address'),
          '',
          0,
        );
        return;
      }
      if (lookupOptions.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
  const connector = buildConnector({ timeout: options.connectTimeoutMs, lookup });
  return new Agent({
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      const reason = isIP(host) ? refusedAddress(host, policy) : undefined;
      if (reason) {
        callback(new OutboundAddressRefused(reason), null);
        return;
      }
      connector(connectOptions, callback);
    },
  });
}
