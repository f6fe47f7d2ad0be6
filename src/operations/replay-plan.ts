import { z } from 'zod';
import type { Destination } from '../config/routing-schema.js';
import { resolveRoute } from '../routing/resolve.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { DeliveryView } from '../store/types.js';

export { replayPlanMinutes } from './replay-plan-validity.js';

/** Which dead letters a replay names: ids, or a filter. */
export const replaySelectionSchema = z.strictObject({
  ids: z.array(z.string()).optional(),
  filter: z
    .strictObject({
      destinationId: z.string().optional(),
      serviceKey: z.string().optional(),
      since: z.string().optional(),
    })
    .optional(),
});
export type ReplaySelection = z.infer<typeof replaySelectionSchema>;

export const replayPlanEntrySchema = z.strictObject({
  messageId: z.string(),
  submissionId: z.string(),
  from: z.string(),
  to: z.string().optional(),
  /** Why a dead letter is left alone (reroute found no destination for it). */
  skipped: z.string().optional(),
  /** The delivery's last change when planned: any change since (a replay, a move) makes the plan stale. */
  updatedAt: z.string(),
});
export type ReplayPlanEntry = z.infer<typeof replayPlanEntrySchema>;

/** What the store keeps of a plan, besides who made it and until when it holds. */
export const replayPlanContentSchema = z.strictObject({
  selection: replaySelectionSchema,
  reroute: z.boolean(),
  note: z.string(),
  entries: z.array(replayPlanEntrySchema),
});
export type ReplayPlanContent = z.infer<typeof replayPlanContentSchema>;

export interface PlannedReplay {
  entries: ReplayPlanEntry[];
  /** The deliveries that reroute moves, with their new destination. */
  moves: { delivery: DeliveryView; destination: Destination }[];
}

/**
 * Works out what a replay of the selected dead letters would do now: which are selected (within the admin's
 * regions) and, with reroute, where each would go under the routing in force. Used for the dry run and again
 * just before the replay, which goes ahead only when both agree.
 */
export async function planReplay(input: {
  store: Store;
  routing: CurrentRouting;
  now: Date;
  selection: ReplaySelection;
  regions?: readonly string[] | undefined;
  reroute: boolean;
}): Promise<PlannedReplay> {
  const { store, now, selection } = input;
  const letters = await store.listDeliveries({
    state: 'dead-lettered',
    ids: selection.ids,
    ...selection.filter,
    regions: input.regions,
    limit: 1000,
  });
  const entries: ReplayPlanEntry[] = [];
  const moves: PlannedReplay['moves'] = [];
  for (const delivery of letters) {
    const entry: ReplayPlanEntry = {
      messageId: delivery.id,
      submissionId: delivery.submissionId,
      from: delivery.destinationId,
      updatedAt: delivery.updatedAt,
    };
    // A portal callback goes to its portal, a reply status to the destination that sent the reply — never to
    // another routing destination: replayed as they are.
    if (input.reroute && !/^(callback|reply-status):/.test(delivery.destinationId)) {
      const resolved = resolveRoute(input.routing.routing, delivery.serviceKey, delivery.regionKey, now).destinations;
      const siblings = await store.getSubmission(delivery.submissionId);
      const taken = new Set(
        siblings?.deliveries
          .filter((d) => d.id !== delivery.id && d.state !== 'dead-lettered')
          .map((d) => d.destinationId),
      );
      const target = resolved.find((d) => d.id === delivery.destinationId) ?? resolved.find((d) => !taken.has(d.id));
      if (!target) {
        entries.push({ ...entry, skipped: 'the routing in force names no destination for it' });
        continue;
      }
      entry.to = target.id;
      moves.push({ delivery, destination: target });
    }
    entries.push(entry);
  }
  return { entries, moves };
}

/** The message ids that differ between a plan as shown and the same plan worked out again. */
export function planDifferences(
  shown: readonly ReplayPlanEntry[],
  now: readonly ReplayPlanEntry[],
): { added: string[]; removed: string[]; changed: string[] } {
  const key = (e: ReplayPlanEntry) => JSON.stringify([e.from, e.to ?? null, e.skipped ?? null, e.updatedAt]);
  const before = new Map(shown.map((e) => [e.messageId, key(e)]));
  const after = new Map(now.map((e) => [e.messageId, key(e)]));
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id)),
  };
}
