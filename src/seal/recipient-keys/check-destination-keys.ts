import type { FieldError } from '../../lib/errors.js';
import type { KeyResolver } from './key-resolver.js';
import { isRemoteSource, type KeySource } from './key-source.js';

/**
 * What an editor is told about a key URL that failed, whatever the reason. Saying whether the port was
 * closed, the answer not JSON, a 404 or a set without a usable key would make the routing API a port
 * scanner for anyone with an editor token (issue 19 F5); the reason goes to the server log instead.
 */
export const keySetUnavailable = 'the key set could not be fetched or used (the gateway log says why)';

export interface KeyProblem extends FieldError {
  destinationId: string;
  /** `reason` of the error (see RecipientKeyReason), or `jwks-unavailable`. */
  reason: string;
  /** The full reason for the server log; for a key URL `detail` is only `keySetUnavailable`. */
  cause: string;
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
      const record = (member: 'encryptionKey' | 'receiptKey', error: unknown) => {
        const extensions = (error as { extensions?: { reason?: unknown } }).extensions;
        const cause = (error as Error).message;
        found.push({
          destinationId: d.id,
          pointer: `/destinations/${i}/${member}`,
          detail: isRemoteSource(d[member]) ? keySetUnavailable : cause,
          reason: typeof extensions?.reason === 'string' ? extensions.reason : 'invalid',
          cause,
        });
      };
      await resolver.encryptionKey(d.encryptionKey).catch((error: unknown) => {
        record('encryptionKey', error);
      });
      await resolver.checkReceiptSource(d.receiptKey).catch((error: unknown) => {
        record('receiptKey', error);
      });
      return found;
    }),
  );
  return problems.flat();
}
