import { AmtsboteError } from '../lib/errors.js';
import { isRecipientKeyError, type KeyResolver } from '../seal/index.js';
import type { ReplyKeySource } from '../store/reply-types.js';

/**
 * Checks a reply key as recipients' encryption keys are checked (seal/recipient-keys/: public RSA ≥ the policy's
 * modulus, `alg` RSA-OAEP-256, `use` enc, `key_ops` with wrapKey; a JWKS URL is fetched) and returns its kid.
 * A refused key is a precise problem, never a 5xx.
 */
export async function checkReplyKeySource(
  resolver: KeyResolver,
  source: ReplyKeySource,
  pointer = '',
): Promise<string> {
  try {
    const key = await resolver.encryptionKey(source);
    return key.kid;
  } catch (error) {
    if (isRecipientKeyError(error) || error instanceof AmtsboteError)
      throw new AmtsboteError('invalid-reply-key', `The reply key is not usable: ${(error as Error).message}`, [
        { pointer, detail: (error as Error).message },
      ]);
    throw new AmtsboteError('invalid-reply-key', 'The reply key could not be read.', [
      { pointer, detail: 'unreadable' },
    ]);
  }
}
