import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { executeReplayPlan, makeReplayPlan } from '../../src/operations/replay-dead-letters.js';
import { isAmtsboteError } from '../../src/lib/errors.js';
import type { Store } from '../../src/store/store.js';
import { projectRoot } from '../helpers/paths.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';
import { testSubmission } from '../helpers/submissions.js';

const routing = {
  version: 1,
  routing: loadConfig({ configFile: join(projectRoot, 'config/gateway.yaml'), env: {} }).routing,
};
const event = { at: '2026-11-25T10:00:00.000Z', type: 'received', data: { status: 'dead-lettered' } };
const t0 = new Date('2026-11-25T12:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

/** The problem an execution is refused with: its code and, for a stale plan, why. */
async function refusal(run: Promise<unknown>): Promise<{ code: string; reason?: unknown; differences?: unknown }> {
  try {
    await run;
  } catch (error) {
    if (isAmtsboteError(error))
      return { code: error.code, reason: error.extensions.reason, differences: error.extensions.differences };
    throw error;
  }
  throw new Error('the plan was executed');
}

describe.each(storeFactories)('replay plans in the $kind store', (factory) => {
  let location: StoreLocation;
  let store: Store;
  let n = 0;
  /** A new dead letter of its own submission, to a destination of the test's own (so tests keep apart). */
  const deadLetter = async (destinationId: string, regionKey = '146120000000') => {
    const id = `m-${String(++n).padStart(3, '0')}`;
    await store.acceptSubmission({
      submission: testSubmission(`s-${id}`, { regionKey }),
      deliveries: [{ id, destinationId, state: 'dead-lettered' }],
      event,
    });
    return id;
  };
  const plan = (
    actor: string,
    selection: Parameters<typeof makeReplayPlan>[0]['selection'],
    now = t0,
    regions?: string[],
  ) =>
    makeReplayPlan({
      store,
      routing,
      now,
      actor,
      selection,
      regions,
      reroute: false,
      note: 'Fachverfahren wieder erreichbar',
    });
  const execute = (actor: string, planId: string, now = minutes(1), regions?: string[]) =>
    executeReplayPlan({ store, routing, now, actor, planId, regions });

  beforeAll(async () => {
    location = await factory.create();
    store = location.open();
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await location.remove();
  });

  it('executes exactly the dead letters the dry run listed, once, and audits the plan', async () => {
    const a = await deadLetter('d-exact');
    const b = await deadLetter('d-exact');
    const dry = await plan('alice', { filter: { destinationId: 'd-exact' } });
    expect(dry).toMatchObject({ dryRun: true, replayed: 0, reroute: false, expiresAt: minutes(15).toISOString() });
    // in the order the deliveries list shows them: newest first
    expect(dry.entries.map((e) => e.messageId)).toEqual([b, a]);
    expect((await store.listDeliveries({ ids: [a, b], limit: 5 })).map((d) => d.state)).toEqual([
      'dead-lettered',
      'dead-lettered',
    ]);

    const done = await execute('alice', dry.planId);
    expect(done).toMatchObject({ dryRun: false, planId: dry.planId, replayed: 2 });
    expect((await store.listDeliveries({ ids: [a, b], limit: 5 })).map((d) => d.state)).toEqual(['pending', 'pending']);
    const [audit] = await store.listAudit(1);
    expect(audit).toMatchObject({
      actor: 'alice',
      action: 'dead-letters.replay',
      detail: { planId: dry.planId, messageIds: [a, b], note: 'Fachverfahren wieder erreichbar' },
    });

    expect(await refusal(execute('alice', dry.planId))).toMatchObject({ code: 'replay-plan-stale', reason: 'used' });
  });

  it('refuses a plan whose filter now selects another dead letter, and replays nothing', async () => {
    const a = await deadLetter('d-grown');
    const dry = await plan('alice', { filter: { destinationId: 'd-grown' } });
    const b = await deadLetter('d-grown');
    expect(await refusal(execute('alice', dry.planId))).toEqual({
      code: 'replay-plan-stale',
      reason: 'changed',
      differences: { added: [b], removed: [], changed: [] },
    });
    expect((await store.listDeliveries({ ids: [a, b], limit: 5 })).map((d) => d.state)).toEqual([
      'dead-lettered',
      'dead-lettered',
    ]);
  });

  it('refuses a plan whose dead letter was replayed (by another plan) in the meantime', async () => {
    const a = await deadLetter('d-raced');
    const b = await deadLetter('d-raced');
    const both = await plan('alice', { ids: [a, b] });
    const one = await plan('alice', { ids: [a] });
    expect((await execute('alice', one.planId)).replayed).toBe(1);
    expect(await refusal(execute('alice', both.planId))).toEqual({
      code: 'replay-plan-stale',
      reason: 'changed',
      differences: { added: [], removed: [a], changed: [] },
    });
    expect((await store.listDeliveries({ ids: [b], limit: 1 }))[0]?.state).toBe('dead-lettered');
  });

  it('refuses a rerouted plan when the routing now sends a dead letter elsewhere than the dry run showed', async () => {
    const a = await deadLetter('dresden-gewerbeamt');
    const dry = await makeReplayPlan({
      store,
      routing,
      now: t0,
      actor: 'alice',
      selection: { ids: [a] },
      reroute: true,
      note: 'nach Umzug',
    });
    expect(dry.entries).toEqual([
      expect.objectContaining({ messageId: a, from: 'dresden-gewerbeamt', to: 'dresden-gewerbeamt' }),
    ]);
    const moved = structuredClone(routing.routing);
    for (const rule of moved.rules.filter((r) => r.region === '146120000000'))
      rule.destinations = ['statistik-sachsen'];
    const run = executeReplayPlan({
      store,
      routing: { version: 2, routing: moved },
      now: minutes(1),
      actor: 'alice',
      planId: dry.planId,
      reroute: () => Promise.reject(new Error('a stale plan must not be re-sealed')),
    });
    expect(await refusal(run)).toEqual({
      code: 'replay-plan-stale',
      reason: 'changed',
      differences: { added: [], removed: [], changed: [a] },
    });
    expect((await store.listDeliveries({ ids: [a], limit: 1 }))[0]).toMatchObject({
      state: 'dead-lettered',
      destinationId: 'dresden-gewerbeamt',
    });
  });

  it('binds a plan to the admin who made it, to their regions and to its lifetime', async () => {
    const dresden = await deadLetter('d-bound');
    const leipzig = await deadLetter('d-bound', '147130000000');
    const dry = await plan('alice', { filter: { destinationId: 'd-bound' } });
    expect(await refusal(execute('bob', dry.planId))).toMatchObject({ code: 'not-found' });
    expect(await refusal(execute('alice', 'no-such-plan'))).toMatchObject({ code: 'not-found' });
    // the same admin, now limited to Leipzig, would replay less than the plan shows
    expect(await refusal(execute('alice', dry.planId, minutes(1), ['14713']))).toMatchObject({
      code: 'replay-plan-stale',
      differences: { removed: [dresden] },
    });
    expect(await refusal(execute('alice', dry.planId, minutes(16)))).toMatchObject({
      code: 'replay-plan-stale',
      reason: 'expired',
    });
    expect((await store.listDeliveries({ ids: [dresden, leipzig], limit: 5 })).map((d) => d.state)).toEqual([
      'dead-lettered',
      'dead-lettered',
    ]);
  });

  it('keeps plans only while they hold: saving a plan deletes the expired ones, and an expired plan is never taken', async () => {
    const a = await deadLetter('d-swept');
    const old = await plan('alice', { ids: [a] });
    expect(await store.useReplayPlan(old.planId, minutes(16).toISOString())).toBe(false);
    await plan('alice', { ids: [a] }, minutes(30));
    expect(await store.getReplayPlan(old.planId)).toBeUndefined();
  });
});
