import { compactDecrypt } from 'jose';
import { OpenSealedMessageError } from './errors.js';
import { JWE_ALG, JWE_ENC } from './format.js';
import { parseHeader, refuseForbiddenMembers, splitCompact } from './lib/compact.js';
import type { RecipientKeyRing } from './recipient-keys.js';

export interface DecryptedPart {
  plaintext: Buffer;
  /** The JWE's `cty`. */
  cty: string;
  /** The JWE's authentication tag (5th segment): what an accept receipt lists. */
  tag: string;
}

/**
 * Decrypts one part: a compact JWE with `alg: RSA-OAEP-256`, `enc: A256GCM`, a `kid` of one of the
 * receiver's keys, a `cty`, and no `zip`.
 */
export async function decryptPart(jwe: unknown, part: string, keys: RecipientKeyRing): Promise<DecryptedPart> {
  const { headerBytes, lastSegment } = splitCompact(jwe, 5, part);
  const header = parseHeader(headerBytes, part);
  refuseForbiddenMembers(header, part);
  if (header.alg !== JWE_ALG)
    throw new OpenSealedMessageError(
      'unexpected-header',
      part,
      `JWE alg must be ${JWE_ALG}, found ${String(header.alg)}`,
    );
  if (header.enc !== JWE_ENC)
    throw new OpenSealedMessageError(
      'unexpected-header',
      part,
      `JWE enc must be ${JWE_ENC}, found ${String(header.enc)}`,
    );
  if (typeof header.kid !== 'string')
    throw new OpenSealedMessageError('unexpected-header', part, 'the JWE header has no kid');
  if (typeof header.cty !== 'string')
    throw new OpenSealedMessageError('unexpected-header', part, 'the JWE header has no cty');
  const key = keys.get(header.kid);
  if (!key) {
    throw new OpenSealedMessageError(
      'no-recipient-key',
      part,
      `sealed to the key "${header.kid}", which is not one of this receiver's keys (${[...keys.keys()].join(', ') || 'none'})`,
    );
  }
  try {
    const { plaintext } = await compactDecrypt(jwe as string, key, {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
    });
    return {
      plaintext: Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength),
      cty: header.cty,
      tag: lastSegment,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_JWE_DECRYPTION_FAILED') {
      throw new OpenSealedMessageError(
        'decryption-failed',
        part,
        `cannot decrypt with the key "${header.kid}": another key, or a changed part`,
        { cause: error },
      );
    }
    throw new OpenSealedMessageError('malformed-part', part, (error as Error).message, { cause: error });
  }
}
