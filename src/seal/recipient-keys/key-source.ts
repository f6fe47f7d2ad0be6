/**
 * How strictly a key's `x5c` certificate chain is checked. `policy` (the default): a chain to a configured
 * trust anchor is required when anchors are configured, otherwise `x5c` is optional. `required`: a chain to a
 * configured anchor is required, and with no anchor configured the key is refused — FIT-Connect requires
 * senders to check the chain to the administration PKI. `off`: the chain is not checked (an `x5c`, when
 * present, must still carry the key), which an operator chooses explicitly, e.g. for a test environment.
 */
export type CertificateChainCheck = 'policy' | 'required' | 'off';

/** An inline public JWK. */
export interface InlineKeySource {
  jwk: Record<string, unknown>;
  certificateChain?: CertificateChainCheck | undefined;
}

/** A JWK Set URL (optionally one `kid` of it), refreshed every `refreshSeconds`. */
export interface RemoteKeySource {
  jwksUrl: string;
  kid?: string | undefined;
  refreshSeconds?: number | undefined;
  certificateChain?: CertificateChainCheck | undefined;
}

/**
 * Keys a delivery service hands out per destination (FIT-Connect: the destination names its current
 * `encryptionKid`, each key is fetched by its kid). `provided` says which provider and what it needs to find
 * the destination; the resolver turns it into a RecipientKeyProvider through its `keyProvider` option, so
 * that seal/ never depends on the service's client.
 */
export interface ProvidedKeySource {
  provided: { kind: string; settings: unknown };
  certificateChain?: CertificateChainCheck | undefined;
}

/** Where a destination's key comes from: routing's `encryptionKey` / `receiptKey`, or derived from the adapter. */
export type KeySource = InlineKeySource | RemoteKeySource | ProvidedKeySource;

/**
 * A service that hands out a destination's public keys as JWKs. It caches and refreshes them itself; the
 * resolver checks each JWK it returns against the policy before it is used.
 */
export interface RecipientKeyProvider {
  /** The key new messages are sealed to now (the destination decides which, e.g. by its `encryptionKid`). */
  encryptionJwk(): Promise<Record<string, unknown>>;
  /** The key that verifies a receipt, chosen by the receipt's `kid`. */
  receiptJwk(kid: string): Promise<Record<string, unknown>>;
  /** Where the keys come from, for operators (a URL, never key material). */
  readonly origin: string;
}

export function isRemoteSource(source: KeySource): source is RemoteKeySource {
  return 'jwksUrl' in source;
}

export function isProvidedSource(source: KeySource): source is ProvidedKeySource {
  return 'provided' in source;
}

export function isInlineSource(source: KeySource): source is InlineKeySource {
  return 'jwk' in source;
}
