import type { X509Certificate } from '@peculiar/x509';

/**
 * What a destination's key must satisfy. Defaults follow FIT-Connect: RSA with at least 4096 bits;
 * with trust anchors set, an `x5c` chain to one of them is required.
 */
export interface RecipientKeyPolicy {
  minModulusBits: number;
  /** Root or intermediate CA certificates; empty: `x5c` is optional (checked against the key when present). */
  trustAnchors: readonly X509Certificate[];
  /** For certificate validity; default: now. */
  clock?: () => Date;
}

export const defaultRecipientKeyPolicy: RecipientKeyPolicy = { minModulusBits: 4096, trustAnchors: [] };

/** The two kinds of recipient key and what each must be for. */
export const KEY_PURPOSES = {
  /** Messages are sealed to it. */
  encryption: { alg: 'RSA-OAEP-256', use: 'enc', keyOp: 'wrapKey', certUsage: 'keyEncipherment' },
  /** It verifies the recipient's receipts (SETs). */
  receipt: { alg: 'PS512', use: 'sig', keyOp: 'verify', certUsage: 'digitalSignature' },
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;
