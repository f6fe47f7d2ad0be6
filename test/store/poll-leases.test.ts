import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';

/** One receipt poller per destination across instances (issue 27): the lease in the store. */
describe.each(storeFactories)('poll leases in the $kind store', (factory) => {
  let location: StoreLocation;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    location = await factory.create();
    a = location.open();
    await a.migrate();
    // a second connection (pool) to the same data, as a second instance has on PostgreSQL
    b = location.open();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await location.remove();
  });

  const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 12, 0, s)).toISOString();
  const take = (store: Store, owner: string, now: number, until: number, destinationId = 'fit') =>
    store.takePollLease({ destinationId, owner, now: at(now), leaseUntil: at(until) });

  it('grants a destination to one of two instances asking at once, and lets its holder renew it', async () => {
    const granted = await Promise.all([take(a, 'one', 0, 15), take(b, 'two', 0, 15)]);
    expect(granted.filter(Boolean)).toHaveLength(1);
    const [holder, other] = granted[0] ? (['one', 'two'] as const) : (['two', 'one'] as const);
    expect(await take(a, holder, 5, 20)).toBe(true);
    expect(await take(b, other, 10, 25)).toBe(false);
    // other destinations are leased apart
    expect(await take(b, other, 10, 25, 'fit-2')).toBe(true);
  });

  it('hands a dead holder’s destination over once its lease has run out, and a stopping one’s at once', async () => {
    expect(await take(a, 'alive', 0, 15, 'handover')).toBe(true);
    expect(await take(b, 'successor', 14, 29, 'handover')).toBe(false);
    expect(await take(b, 'successor', 15, 30, 'handover')).toBe(false);
    expect(await take(b, 'successor', 16, 31, 'handover')).toBe(true);
    expect(await take(a, 'alive', 17, 32, 'handover')).toBe(false);
    await b.releasePollLease('handover', 'alive'); // not the holder: changes nothing
    expect(await take(a, 'alive', 18, 33, 'handover')).toBe(false);
    await b.releasePollLease('handover', 'successor');
    expect(await take(a, 'alive', 19, 34, 'handover')).toBe(true);
  });
});
