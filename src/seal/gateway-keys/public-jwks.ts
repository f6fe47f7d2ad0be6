import type { GatewayKeys, PublicSigningJwk } from './types.js';

/**
 * The body of `GET /.well-known/jwks.json`: every configured signing key that is not retired, public
 * members only, with `kid`, `alg: PS512`, `use: sig`. The active key and the previous ones stay
 * published during a rotation's overlap, so receivers can verify messages still in flight.
 */
export function gatewayJwks(keys: GatewayKeys, retiredKids: Iterable<string> = []): { keys: PublicSigningJwk[] } {
  const retired = new Set(retiredKids);
  return { keys: [...keys.signing.values()].filter((k) => !retired.has(k.kid)).map((k) => ({ ...k.publicJwk })) };
}
