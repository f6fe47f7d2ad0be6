import { randomUUID } from 'node:crypto';
import type { Reroute } from '../delivery/reroute.js';
import { AmtsboteError } from '../lib/errors.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import {
  planDifferences,
  planReplay,
  replayPlanContentSchema,
  replayPlanMinutes,
  type ReplayPlanContent,
  type ReplayPlanEntry,
  type ReplaySelection,
} from './replay-plan.js';

export type { ReplayPlanEntry, ReplaySelection } from './replay-plan.js';

export interface ReplayDryRun {
  dryRun: true;
  replayed: 0;
  /** Executes exactly what `entries` shows, until `expiresAt`, for the admin who asked. */
  planId: string;
  expiresAt: string;
  reroute: boolean;
  entries: ReplayPlanEntry[];
}

export interface ReplayResult {
  dryRun: false;
  planId: string;
  replayed: number;
  entries: ReplayPlanEntry[];
}

/**
 * The dry run: says what a replay of the selected dead letters would do (within the admin's regions; with
 * reroute, each one's destination resolved again under the routing in force) and keeps that as a plan. It
 * changes no delivery. The replay then executes the plan by id (executeReplayPlan).
 */
export async function makeReplayPlan(input: {
  store: Store;
  routing: CurrentRouting;
  now: Date;
  actor: string;
  selection: ReplaySelection;
  regions?: readonly string[] | undefined;
  reroute: boolean;
  note: string;
  newId?: () => string;
}): Promise<ReplayDryRun> {
  const { entries } = await planReplay(input);
  const content: ReplayPlanContent = { selection: input.selection, reroute: input.reroute, note: input.note, entries };
  const id = (input.newId ?? randomUUID)();
  const expiresAt = new Date(input.now.getTime() + replayPlanMinutes * 60_000).toISOString();
  await input.store.saveReplayPlan(
    { id, actor: input.actor, createdAt: input.now.toISOString(), expiresAt, content },
    input.now.toISOString(),
  );
  return { dryRun: true, replayed: 0, planId: id, expiresAt, reroute: input.reroute, entries };
}

const stale = (planId: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new AmtsboteError('replay-plan-stale', detail, [{ pointer: '/planId', detail: 'make a new dry run' }], {
    planId,
    ...extensions,
  });

/**
 * Executes a plan exactly as its dry run showed it — or refuses (409) when it has expired, was executed
 * already, or when its selection or the deliveries have changed since: the dead letters are worked out again
 * and must be the same, in the same state, going to the same destinations. Only the admin who made the plan
 * can execute it. Every replay is audited: who, when, which, why, and the plan.
 */
export async function executeReplayPlan(input: {
  store: Store;
  routing: CurrentRouting;
  now: Date;
  actor: string;
  planId: string;
  regions?: readonly string[] | undefined;
  /** Re-seals from the escrow copy; needed by plans made with reroute. */
  reroute?: Reroute | undefined;
  /** Replaces the note given with the dry run. */
  note?: string | undefined;
}): Promise<ReplayResult> {
  const { store, now, planId } = input;
  const record = await store.getReplayPlan(planId);
  // Another admin's plan is as unknown as a missing one: plans are bound to whoever made the dry run.
  if (!record || record.actor !== input.actor)
    throw new AmtsboteError(
      'not-found',
      'No replay plan with this id was made by you. Make a dry run first and execute the plan it returns.',
      [{ pointer: '/planId', detail: 'unknown plan' }],
    );
  if (record.usedAt) throw stale(planId, 'This replay plan has been executed already.', { reason: 'used' });
  if (record.expiresAt < now.toISOString())
    throw stale(
      planId,
      `This replay plan expired at ${record.expiresAt}; plans hold for ${replayPlanMinutes} minutes.`,
      { reason: 'expired' },
    );
  const parsed = replayPlanContentSchema.safeParse(record.content);
  if (!parsed.success) throw stale(planId, 'This replay plan cannot be read any more.', { reason: 'unreadable' });
  const plan = parsed.data;
  if (plan.reroute && !input.reroute)
    throw new AmtsboteError('conflict', 'Replay with reroute needs the escrow copy, which this gateway does not keep.');

  const again = await planReplay({
    store,
    routing: input.routing,
    now,
    selection: plan.selection,
    regions: input.regions,
    reroute: plan.reroute,
  });
  const differences = planDifferences(plan.entries, again.entries);
  const count = differences.added.length + differences.removed.length + differences.changed.length;
  if (count > 0) {
    throw stale(
      planId,
      `Since the dry run, ${count} of the dead letters it names have changed (selected, replayed, moved or rerouted elsewhere). Nothing was replayed.`,
      { reason: 'changed', differences },
    );
  }
  if (!(await store.useReplayPlan(planId, now.toISOString())))
    throw stale(planId, 'This replay plan has been executed already.', { reason: 'used' });

  for (const { delivery, destination } of again.moves) {
    const sealed = await input.reroute?.(delivery, destination);
    if (sealed) await store.replaceSealedMessage(sealed, now.toISOString());
    if (destination.id !== delivery.destinationId)
      await store.moveDelivery(delivery.id, destination.id, now.toISOString());
  }
  const note = input.note ?? plan.note;
  const ids = plan.entries.filter((e) => !e.skipped).map((e) => e.messageId);
  const replayed = await store.replayDeliveries(ids, now.toISOString(), note);
  await store.appendAudit({
    at: now.toISOString(),
    actor: input.actor,
    action: plan.reroute ? 'dead-letters.replay-reroute' : 'dead-letters.replay',
    detail: {
      note,
      planId,
      messageIds: replayed,
      moved: plan.entries
        .filter((e) => e.to && e.to !== e.from)
        .map((e) => ({ messageId: e.messageId, from: e.from, to: e.to })),
    },
  });
  return { dryRun: false, planId, replayed: replayed.length, entries: plan.entries };
}
