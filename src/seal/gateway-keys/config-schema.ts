import { z } from 'zod';

const keyFileSchema = z.strictObject({
  /** Key id; default: the JWK's `kid`, else its RFC 7638 thumbprint. */
  kid: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 letters, digits, dots, colons, hyphens or underscores')
    .optional(),
  /** Private key: PEM (PKCS#8 or PKCS#1) or JWK; owner-readable only. Relative to the config file's folder. */
  file: z.string().min(1),
});

/**
 * `keys:` in gateway.yaml. The same files on every instance; which signing key is active is state in
 * the store (`keys rotate`). Absent: development keys are created in `<dataDir>/keys/` (SQLite only).
 */
export const gatewayKeysConfigSchema = z.strictObject({
  /** RSA-4096 key pairs for PS512; every one is published in the JWKS until retired. */
  signing: z.array(keyFileSchema).min(1),
  /** RSA-4096 key pairs for the escrow copies (RSA-OAEP-256); one per retention period. */
  escrow: z.array(keyFileSchema).min(1),
});

export type GatewayKeysConfig = z.infer<typeof gatewayKeysConfigSchema>;

/** `recipientKeys:` in gateway.yaml: the policy for destinations' keys. */
export const recipientKeyPolicyConfigSchema = z.strictObject({
  minModulusBits: z.number().int().min(2048).max(16_384).default(4096),
  /**
   * PEM files of trust anchors (root or intermediate CA certificates); when set, every key needs an `x5c` chain to one.
   */
  trustAnchors: z.array(z.string().min(1)).default([]),
});

export type RecipientKeyPolicyConfig = z.infer<typeof recipientKeyPolicyConfigSchema>;
