import type { Destination } from '../config/routing-schema.js';
import type { DeliveryView, SealedMessage } from '../store/types.js';

/** Re-seals a delivery's message for a destination (from the escrow copy); supplied where escrow exists. */
export type Reroute = (delivery: DeliveryView, destination: Destination) => Promise<SealedMessage>;
