import type { KeyObject, webcrypto } from 'node:crypto';

/** The public half of a gateway signing key as published: only `kty`, `n`, `e` plus `kid`, `alg`, `use`. */
// A type alias, not an interface: it then fits `Record<string, unknown>` (the receiver's JWK Set type).
export type PublicSigningJwk = {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'PS512';
  use: 'sig';
};

/** A gateway signing key pair (RSA ≥ 4096, PS512), imported once. */
export interface GatewaySigningKey {
  kid: string;
  /** Non-extractable WebCrypto key: signing runs on the thread pool. */
  privateKey: webcrypto.CryptoKey;
  publicKey: KeyObject;
  publicJwk: PublicSigningJwk;
}

/** The gateway's escrow key pair (RSA ≥ 4096, RSA-OAEP-256), imported once. */
export interface GatewayEscrowKey {
  kid: string;
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
}

/**
 * Every key the configuration names, by kid. Which signing key is active (and which are retired) is
 * state in the store; functions here take it as an input.
 */
export interface GatewayKeys {
  signing: ReadonlyMap<string, GatewaySigningKey>;
  escrow: ReadonlyMap<string, GatewayEscrowKey>;
  /** True when the keys were created on this start (development on SQLite only). */
  generated: boolean;
  /** Where the keys came from: configured files, or the data dir's development keys. */
  source: 'files' | 'data-dir';
}
