import type { KeyResolver } from '../recipient-keys/key-resolver.js';
import type { gatewayJwks } from './public-jwks.js';
import type { GatewayEscrowKey, GatewayKeys, GatewaySigningKey } from './types.js';

/**
 * The one port to the keys that intake, delivery and receipts use: the gateway's own (which of them signs
 * and which takes escrow copies now) and the recipients' (through the resolver). Which key is active is
 * state kept elsewhere (the store, on several instances); seal only asks.
 */
export interface KeyRing {
  keys: GatewayKeys;
  resolver: KeyResolver;
  /** The signing key that signs new messages now. */
  signing(): GatewaySigningKey;
  /** The escrow key new escrow copies are sealed to. */
  escrow(): GatewayEscrowKey;
  /** The public JWKS: every configured signing key not retired. */
  jwks(): ReturnType<typeof gatewayJwks>;
  /** Re-reads which keys are active (after a rotation here or on another instance). */
  refresh(): Promise<void>;
}
