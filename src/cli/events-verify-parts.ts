import type { KeySource } from '../seal/index.js';
import type { Destination } from '../config/routing-schema.js';
import { destinationKeySources } from '../config/destination-key-sources.js';
import { deliveryServiceJwksUrl } from '../adapters/fitconnect/config.js';

// What `events verify` runs, in one module its action imports when it runs (see cli.ts).
export { routingSchema } from '../config/routing-schema.js';
export { peekReceipt, verifySet } from '../seal/receipt/verify-set.js';
export { fitConnectDirectories } from '../adapters/fitconnect/index.js';
export { recipientKeyResolver } from '../gateway/seal-setup.js';
export { verifyChain } from '../store/verify-chain.js';

/**
 * Who signed a receipt: the destination (its receipt key) — or, for a FIT-Connect destination, the
 * delivery service itself when `iss` is not the destination's FIT-Connect id (its own reject).
 */
export function receiptSigner(destination: Destination, iss: string): { source: KeySource; deliveryService: boolean } {
  const adapter = destination.adapter;
  if (adapter.kind !== 'fitconnect' || iss === adapter.destinationId)
    return { source: destinationKeySources(destination).receipt, deliveryService: false };
  return { source: { jwksUrl: deliveryServiceJwksUrl(adapter) }, deliveryService: true };
}
