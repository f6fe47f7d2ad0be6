import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';

/** FIT-Connect submissions picked up as a subscriber (issue 23): seen once, leased to one instance, settled. */
describe.each(storeFactories)('inbound FIT-Connect submissions in the $kind store', (factory) => {
  let location: StoreLocation;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    location = await factory.create();
    a = location.open();
    await a.migrate();
    b = location.open();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await location.remove();
  });

  const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 12, 0, s)).toISOString();
  const destinationId = '11111111-2222-4333-8444-555555555555';
  const seen = (store: Store, id: string, s: number) =>
    store.recordInboundSeen({ id, destinationId, caseId: `case-of-${id}`, now: at(s) });
  const lease = (store: Store, id: string, owner: string, s: number, until: number) =>
    store.takeInboundLease({ id, owner, now: at(s), leaseUntil: at(until) });

  it('records a submission once, with FIT-Connect’s deadlines counted from the first sight', async () => {
    expect(await seen(a, 'sub-1', 0)).toBe(true);
    expect(await seen(b, 'sub-1', 5)).toBe(false);
    const [row] = await a.listInbound({ limit: 10, states: ['pending'] });
    expect(row).toMatchObject({ id: 'sub-1', caseId: 'case-of-sub-1', state: 'pending', firstSeenAt: at(0) });
    expect(Date.parse(row?.remindAt ?? '') - Date.parse(at(0))).toBe(3 * 86_400_000);
    expect(Date.parse(row?.autoRejectAt ?? '') - Date.parse(at(0))).toBe(14 * 86_400_000);
  });

  it('leases a submission to exactly one of two instances asking at once, until the lease runs out', async () => {
    await seen(a, 'sub-2', 0);
    const granted = await Promise.all([lease(a, 'sub-2', 'one', 1, 60), lease(b, 'sub-2', 'two', 1, 60)]);
    expect(granted.filter((g) => g !== undefined)).toHaveLength(1);
    const holder = granted[0] ? 'one' : 'two';
    const other = holder === 'one' ? 'two' : 'one';
    expect(granted.find((g) => g)?.attempts).toBe(1);
    expect(await lease(b, 'sub-2', other, 30, 90)).toBeUndefined();
    // the holder died: its lease runs out and the other takes over; the dead one can no longer settle
    expect(await lease(b, 'sub-2', other, 61, 120)).toMatchObject({ attempts: 2 });
    const stale = await a.settleInbound({
      id: 'sub-2',
      owner: holder,
      state: 'accepted',
      nextAttemptAt: at(62),
      now: at(62),
    });
    expect(stale).toBe(false);
  });

  it('settles a submission, keeps the lease only when asked, and takes a closed one never again', async () => {
    await seen(a, 'sub-3', 0);
    expect(await lease(a, 'sub-3', 'one', 1, 60)).toBeDefined();
    const committed = await a.settleInbound({
      id: 'sub-3',
      owner: 'one',
      state: 'committed',
      onwardSubmissionId: 'onward-3',
      serviceKey: '99050012104000',
      nextAttemptAt: at(2),
      now: at(2),
      keepLease: true,
    });
    expect(committed).toBe(true);
    expect(await lease(b, 'sub-3', 'two', 3, 60)).toBeUndefined();
    expect(
      await a.settleInbound({ id: 'sub-3', owner: 'one', state: 'accepted', nextAttemptAt: at(4), now: at(4) }),
    ).toBe(true);
    expect(await lease(b, 'sub-3', 'two', 5, 60)).toBeUndefined();
    const [row] = await b.listInbound({ limit: 10, states: ['accepted'] });
    expect(row).toMatchObject({
      id: 'sub-3',
      state: 'accepted',
      onwardSubmissionId: 'onward-3',
      serviceKey: '99050012104000',
    });
  });

  it('keeps a waiting submission until it is due, and a routing change makes every waiting one due at once', async () => {
    await seen(a, 'sub-4', 0);
    expect(await lease(a, 'sub-4', 'one', 1, 60)).toBeDefined();
    await a.settleInbound({
      id: 'sub-4',
      owner: 'one',
      state: 'waiting',
      reason: 'unroutable-region',
      nextAttemptAt: at(50),
      now: at(2),
    });
    expect(await lease(b, 'sub-4', 'two', 10, 60)).toBeUndefined();
    const dueBefore = await b.listDueInbound({ destinationIds: [destinationId], now: at(10), limit: 10 });
    expect(dueBefore.map((d) => d.id)).not.toContain('sub-4');
    expect(await b.wakeWaitingInbound(at(10))).toBe(1);
    const dueAfter = await b.listDueInbound({ destinationIds: [destinationId], now: at(10), limit: 10 });
    expect(dueAfter.map((d) => d.id)).toContain('sub-4');
    expect(await lease(b, 'sub-4', 'two', 10, 60)).toMatchObject({ state: 'waiting', reason: 'unroutable-region' });
    expect(await a.countInboundByState()).toMatchObject({ waiting: 1, accepted: 1 });
  });
});
