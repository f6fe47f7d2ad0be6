import { isIP } from 'node:net';
import { z } from 'zod';

/** The named address sets Express (proxy-addr) knows. */
const namedSets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `ip` or `ip/prefix` with a prefix the address family allows. */
function isAddressOrSubnet(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** One trusted reverse proxy: an address, a subnet in CIDR notation, or one of Express's named sets. */
export const trustedProxySchema = z.string().refine((v) => namedSets.has(v) || isAddressOrSubnet(v), {
  message: 'must be an IP address, a subnet such as 10.0.0.0/8, or loopback, linklocal or uniquelocal',
});
