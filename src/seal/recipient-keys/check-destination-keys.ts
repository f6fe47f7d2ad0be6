import type { FieldError } from '../../errors.js';
import type { KeyResolver } from './key-resolver.js';
import type { KeySource } from './key-source.js';

export interface KeyProblem extends FieldError {
  destinationId: string;
  /** `reason` of the error (see RecipientKeyReason), or `jwks-unavailable`. */
  reason: string;
}

/**
 * Checks every destination's encryption and receipt key against the policy — what routing load calls,
 * so a bad key is refused before any request. Fetches JWKS URLs (and so warms the cache).
 */
export async function checkDestinationKeys(
  destinations: readonly { id: string; encryptionKey: KeySource; receiptKey: KeySource }[],
  resolver: KeyResolver,
): Promise<KeyProblem[]> {
  const problems = await Promise.all(
    destinations.map(async (d, i) => {
      const found: KeyProblem[] = [];
      const record = (member: string, error: unknown) => {
        const extensions = (error as { extensions?: { reason?: unknown } }).extensions;
        found.push({
          destinationId: d.id,
          pointer: `/destinations/${i}/${member}`,
          detail: (error as Error).message,
          reason: typeof extensions?.reason === 'string' ? extensions.reason : 'invalid',
        });
      };
      await resolver.encryptionKey(d.encryptionKey).catch((error: unknown) => { record('encryptionKey', error); });
      await resolver.checkReceiptSource(d.receiptKey).catch((error: unknown) => { record('receiptKey', error); });
      return found;
    }),
  );
  return problems.flat();
}
