import { AmtsboteError } from '../lib/errors.js';
import type { Store } from '../store/store.js';

/**
 * Refuses to start over a store holding work this release cannot do, rather than half-working: deliveries
 * accepted by a release before sealing have no sealed message and no escrow copy, so the worker could only
 * dead-letter them one by one as if a message had been lost. The operator decides, once, and explicitly.
 */
export async function refuseUncarriedWork(store: Pick<Store, 'countUnsealedDeliveries'>): Promise<void> {
  const unsealed = await store.countUnsealedDeliveries();
  if (unsealed === 0) return;
  throw new AmtsboteError(
    'conflict',
    `the store holds ${unsealed} ${unsealed === 1 ? 'delivery' : 'deliveries'} accepted by a release before sealing: no sealed message and no escrow copy exist for ${unsealed === 1 ? 'it' : 'them'}, ` +
      'and the submitted data was never stored, so no release can deliver them. Run "amtsbote store migrate --dead-letter-unsealed" to record them as dead letters ' +
      '(reason accepted-before-sealing; their portals learn it by status and callback and must submit again), then start again.',
  );
}
