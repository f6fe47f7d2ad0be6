import type { Destination } from '../config/routing-schema.js';
import { resolveRoute } from '../routing/resolve.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { DeliveryView, SealedMessage } from '../store/types.js';

/** Re-seals a delivery's message for a destination (from the escrow copy); supplied where escrow exists. */
export type Reroute = (delivery: DeliveryView, destination: Destination) => Promise<SealedMessage>;

export interface ReplayPlanEntry {
  messageId: string;
  submissionId: string;
  from: string;
  to?: string | undefined;
  /** Why a dead letter is left alone (reroute found no destination for it). */
  skipped?: string | undefined;
}

export interface ReplayResult {
  dryRun: boolean;
  replayed: number;
  entries: ReplayPlanEntry[];
}

/**
 * Replays dead letters: by ids or by filter, within the admin's regions. With `reroute`, each one's
 * destination is resolved again under the routing in force now and its message re-sealed from the escrow
 * copy (also after a recipient's key changed). A dry run says what would happen and changes nothing.
 * Every real replay is audited: who, when, which, why.
 */
export async function replayDeadLetters(input: {
  store: Store;
  routing: CurrentRouting;
  now: Date;
  actor: string;
  ids?: readonly string[] | undefined;
  filter?: { destinationId?: string | undefined; serviceKey?: string | undefined; since?: string | undefined } | undefined;
  regions?: readonly string[] | undefined;
  dryRun: boolean;
  reroute?: Reroute | undefined;
  note: string;
}): Promise<ReplayResult> {
  const { store, now } = input;
  const letters = await store.listDeliveries({ state: 'dead-lettered', ids: input.ids, ...input.filter, regions: input.regions, limit: 1000 });
  const entries: ReplayPlanEntry[] = [];
  const moves: { delivery: DeliveryView; destination: Destination }[] = [];
  for (const delivery of letters) {
    const entry: ReplayPlanEntry = { messageId: delivery.id, submissionId: delivery.submissionId, from: delivery.destinationId };
    // A portal callback goes to its portal, never to a routing destination: replayed as it is.
    if (input.reroute && !delivery.destinationId.startsWith('callback:')) {
      const resolved = resolveRoute(input.routing.routing, delivery.serviceKey, delivery.regionKey, now).destinations;
      const siblings = await store.getSubmission(delivery.submissionId);
      const taken = new Set(siblings?.deliveries.filter((d) => d.id !== delivery.id && d.state !== 'dead-lettered').map((d) => d.destinationId));
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
  if (input.dryRun) return { dryRun: true, replayed: 0, entries };

  for (const { delivery, destination } of moves) {
    const sealed = await input.reroute?.(delivery, destination);
    if (sealed) await store.replaceSealedMessage(sealed, now.toISOString());
    if (destination.id !== delivery.destinationId) await store.moveDelivery(delivery.id, destination.id, now.toISOString());
  }
  const ids = entries.filter((e) => !e.skipped).map((e) => e.messageId);
  const replayed = await store.replayDeliveries(ids, now.toISOString(), input.note);
  await store.appendAudit({
    at: now.toISOString(),
    actor: input.actor,
    action: input.reroute ? 'dead-letters.replay-reroute' : 'dead-letters.replay',
    detail: { note: input.note, messageIds: replayed, moved: entries.filter((e) => e.to && e.to !== e.from).map((e) => ({ messageId: e.messageId, from: e.from, to: e.to })) },
  });
  return { dryRun: false, replayed: replayed.length, entries };
}
