import { fitConnectKeySource } from '../adapters/fitconnect/index.js';
import { ConfigError } from '../lib/errors.js';
import type { KeySource } from '../seal/index.js';
import type { Destination } from './routing-schema.js';

export interface DestinationKeySources {
  /** Where the key the destination's messages are sealed to comes from. */
  encryption: KeySource;
  /** Where the keys that verify the destination's receipts come from. */
  receipt: KeySource;
}

/**
 * A destination's key sources — the one place that decides them; every caller (sealing, receipts, the event
 * log, key checks, the admin views) asks here instead of reading `encryptionKey` / `receiptKey`. A key routing
 * names wins. A FIT-Connect destination without one gets the keys its delivery service hands out for its
 * destination id (with the sender's token, by the destination's `encryptionKid` and the receipt's `kid`), and
 * every key of a FIT-Connect destination — named or handed out — is held to the destination's certificate
 * chain rule (`keyCertificateChain`).
 */
export function destinationKeySources(
  destination: Pick<Destination, 'id' | 'adapter' | 'encryptionKey' | 'receiptKey'>,
): DestinationKeySources {
  const adapter = destination.adapter;
  if (adapter.kind === 'fitconnect') {
    const chain = { certificateChain: adapter.keyCertificateChain };
    const provided = fitConnectKeySource(adapter);
    return {
      encryption: { ...(destination.encryptionKey ?? provided), ...chain },
      receipt: { ...(destination.receiptKey ?? provided), ...chain },
    };
  }
  if (!destination.encryptionKey || !destination.receiptKey)
    throw new ConfigError(`destination ${destination.id} names no encryptionKey or receiptKey`);
  return { encryption: destination.encryptionKey, receipt: destination.receiptKey };
}
