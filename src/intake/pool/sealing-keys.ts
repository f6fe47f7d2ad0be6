import { destinationKeySources } from '../../config/destination-key-sources.js';
import type { Destination } from '../../config/routing-schema.js';
import type { KeyRing } from '../../seal/index.js';
import { errorAsData } from './errors-as-data.js';
import { recipientKeyId, type ResolvedRecipientKey, type SealingKeys } from './produce-and-seal-task.js';

/**
 * The keys a submission is sealed with, taken on the main thread: the active gateway keys (the store's key
 * states) and each destination's recipient key (the resolver's caches, and the network when they are cold).
 * A key that cannot be had is kept as its error, raised where sealing asks for it — after every message is
 * produced, as the in-request pipeline always did — so the portal gets the same problem in the same order.
 */
export async function sealingKeys(
  sealing: Pick<KeyRing, 'signing' | 'escrow' | 'resolver'>,
  destinations: readonly Destination[],
): Promise<SealingKeys> {
  const sources = new Map(
    destinations.map((d) => {
      const source = destinationKeySources(d).encryption;
      return [recipientKeyId(source), source] as const;
    }),
  );
  const recipients = new Map<string, ResolvedRecipientKey>();
  await Promise.all(
    [...sources].map(async ([id, source]) => {
      try {
        recipients.set(id, { key: await sealing.resolver.encryptionKey(source) });
      } catch (error) {
        recipients.set(id, { error: errorAsData(error) });
      }
    }),
  );
  const escrow = sealing.escrow();
  return { signing: sealing.signing(), escrow: { kid: escrow.kid, publicKey: escrow.publicKey }, recipients };
}
