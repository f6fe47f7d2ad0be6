import { z } from 'zod';
import { fitConnectReferencesSchema } from './fitconnect/references.js';

/**
 * What a transport assigned to a delivery that people outside the gateway know it by — the ids an operator
 * quotes to the transport's support. One optional member per kind that has such ids, named for the
 * transport; each adapter reads its own from the state it persisted (its row's `references`), so nothing
 * else needs to know that state's shape. A destination's entry in the portal's status, the admin API's
 * delivery and the event log's `delivery` entries carry these members as they are.
 */
export const transportReferencesSchema = z.object({
  fitConnect: fitConnectReferencesSchema.optional(),
});

export type TransportReferences = z.output<typeof transportReferencesSchema>;

/** Reads a delivery's references from the state its adapter persisted; undefined while there are none. */
export type ReadReferences = (state: unknown) => TransportReferences | undefined;
