import { gatewayKeyError } from '../lib/errors.js';
import type { GatewayEscrowKey, GatewayKeys, GatewaySigningKey } from './types.js';

/**
 * The signing key to use now. `activeKid` is state in the store (`keys rotate`), the same for every
 * instance; it must name a configured key.
 */
export function signingKeyFor(keys: GatewayKeys, activeKid: string): GatewaySigningKey {
  const key = keys.signing.get(activeKid);
  if (!key)
    throw gatewayKeyError(
      `the active signing key "${activeKid}" is not configured on this instance (configured: ${[...keys.signing.keys()].join(', ')})`,
    );
  return key;
}

/** The escrow key new escrow copies are sealed to, or the one an escrow copy names in its header. */
export function escrowKeyFor(keys: GatewayKeys, kid: string): GatewayEscrowKey {
  const key = keys.escrow.get(kid);
  if (!key)
    throw gatewayKeyError(
      `the escrow key "${kid}" is not configured on this instance (configured: ${[...keys.escrow.keys()].join(', ')})`,
    );
  return key;
}

/** The kids to seed the store with on first start: the first configured signing and escrow key. */
export function initialActiveKids(keys: GatewayKeys): { signing: string; escrow: string } {
  const signing = keys.signing.keys().next();
  const escrow = keys.escrow.keys().next();
  if (signing.done || escrow.done) throw gatewayKeyError('no gateway keys configured');
  return { signing: signing.value, escrow: escrow.value };
}

/** Every configured key with its purpose: what the store keeps a state for. */
export function configuredKeys(keys: GatewayKeys): { kid: string; purpose: 'signing' | 'escrow' }[] {
  return [
    ...[...keys.signing.keys()].map((kid) => ({ kid, purpose: 'signing' as const })),
    ...[...keys.escrow.keys()].map((kid) => ({ kid, purpose: 'escrow' as const })),
  ];
}
