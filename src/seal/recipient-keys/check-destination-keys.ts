import type { FieldError } from '../../lib/errors.js';
import type { KeyResolver } from './key-resolver.js';
import { isInlineSource, isProvidedSource, type KeySource } from './key-source.js';

/**
 * What an editor is told about a key URL that failed, whatever the reason. Saying whether the port was
 * closed, the answer not JSON, a 404 or a set without a usable key would make the routing API a port
 * scanner for anyone with an editor token (issue 19 F5); the reason goes to the server log instead.
 */
export const keySetUnavailable = 'the key set could not be fetched or used (the gateway log says why)';

/**
 * Where a key comes from: `inline` (handed in with the document: its problem is the document's), `remote` (a
 * configured key URL) or `provided` (handed out by the destination's delivery service). A remote or provided
 * key may be cured by the other side at any time (a rotation, a service back up).
 */
export type KeyOrigin = 'inline' | 'remote' | 'provided';

export function keyOrigin(source: KeySource): KeyOrigin {
  return isInlineSource(source) ? 'inline' : isProvidedSource(source) ? 'provided' : 'remote';
}

export interface KeyProblem extends FieldError {
  destinationId: string;
  /** `reason` of the error (see RecipientKeyReason), or `jwks-unavailable`. */
  reason: string;
  /** The full reason for the server log; for a key URL `detail` is only `keySetUnavailable`. */
  cause: string;
  source: KeyOrigin;
}

/**
 * Checks every destination's encryption and receipt key against the policy — what routing load calls,
 * so a bad key is refused before any request. Fetches JWKS URLs (and so warms the cache). `origins` limits
 * the check to keys of these origins (default: all).
 */
export async function checkDestinationKeys(
  destinations: readonly { id: string; encryptionKey: KeySource; receiptKey: KeySource }[],
  resolver: KeyResolver,
  origins: readonly KeyOrigin[] = ['inline', 'remote', 'provided'],
): Promise<KeyProblem[]> {
  const problems = await Promise.all(
    destinations.map(async (d, i) => {
      const found: KeyProblem[] = [];
      const record = (member: 'encryptionKey' | 'receiptKey', error: unknown) => {
        const extensions = (error as { extensions?: { reason?: unknown } }).extensions;
        const cause = (error as Error).message;
        const source = keyOrigin(d[member]);
        found.push({
          destinationId: d.id,
          // a provided key is not in the document: the pointer names the adapter settings it is derived from
          pointer: `/destinations/${i}/${source === 'provided' ? 'adapter' : member}`,
          source,
          detail: source === 'inline' ? cause : keySetUnavailable,
          reason: typeof extensions?.reason === 'string' ? extensions.reason : 'invalid',
          cause,
        });
      };
      if (origins.includes(keyOrigin(d.encryptionKey)))
        await resolver.encryptionKey(d.encryptionKey).catch((error: unknown) => {
          record('encryptionKey', error);
        });
      if (origins.includes(keyOrigin(d.receiptKey)))
        await resolver.checkReceiptSource(d.receiptKey).catch((error: unknown) => {
          record('receiptKey', error);
        });
      return found;
    }),
  );
  return problems.flat();
}
