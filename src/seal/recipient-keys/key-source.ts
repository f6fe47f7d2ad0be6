/**
 * Where a destination's key comes from, as routing configures it (`encryptionKey` / `receiptKey`):
 * an inline public JWK, or a JWKS URL (optionally one `kid` of it) refreshed every `refreshSeconds`.
 */
export type KeySource =
  { jwk: Record<string, unknown> } | { jwksUrl: string; kid?: string | undefined; refreshSeconds?: number | undefined };

export function isRemoteSource(source: KeySource): source is Extract<KeySource, { jwksUrl: string }> {
  return 'jwksUrl' in source;
}
