import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/adapters/index.js';
import type { Adapter, OutboundMessage, PollResult } from '../../src/adapters/types.js';
import type { Destination } from '../../src/config/routing-schema.js';
import { startDeliveryWorker, type DeliveryWorker } from '../../src/delivery/worker.js';
import { createKeyResolver } from '../../src/seal/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { events, tagOf } from '../fixtures/fitconnect-simulator/rules.js';
import { fitConnectDestination, sealedForSimulator, secretEnv } from '../helpers/fitconnect.js';
import { eventually, outboxFixture, routingOf, type OutboxFixture } from '../helpers/outbox.js';
import { fixtureJwk, publicJwk } from '../seal/fixtures.js';

/**
 * The event-log poll's tolerance (issue 22 item 3): what FIT-Connect's set-payload schema allows is taken, what a
 * key refresh may cure holds the read position, what is broken for good is skipped and reported.
 */

let sim: FitConnectSimulator;
// Every poll may refetch: a key published a moment ago is found at the next poll, not 30 s later.
const resolver = createKeyResolver({ minRefetchMs: 0, retryAfterFailureMs: 0 });
const context = {
  dataDir: '.',
  configDir: '.',
  outbound: { allowLoopback: true, allowLinkLocal: false },
  now: () => new Date(),
  keys: resolver,
};
const signal = () => AbortSignal.timeout(10_000);
const problems = [
  {
    type: 'https://schema.fitko.de/fit-connect/events/problems/submission-expired',
    title: 'Einreichung abgelaufen',
    instance: 'submission',
  },
];

/** The subscriber's second signature key, which its JWKS (below) publishes only when the test says so. */
const newKey = { ...fixtureJwk('gateway-signing-1'), kid: 'test-recipient-sig-2' };

/**
 * The destination's signature keys as the gateway reads them, under the test's control: the simulator's own
 * key set cannot be told to publish a second signature key, and a real one would not publish it in step.
 */
let jwks: Server;
let jwksUrl = '';
const published = { newKey: false, down: false };

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  process.env[secretEnv] = sim.clientSecret;
  jwks = createServer((_req, res) => {
    if (published.down) {
      res.writeHead(503).end();
      return;
    }
    const keys = [publicJwk(fixtureJwk('recipient-receipt-signing'), { key_ops: ['verify'] })];
    if (published.newKey) keys.push(publicJwk(newKey, { key_ops: ['verify'] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await sim.close();
  jwks.closeAllConnections();
  await new Promise((resolve) => jwks.close(resolve));
});
afterEach(() => {
  published.newKey = false;
  published.down = false;
});

const destinationFor = () => fitConnectDestination(sim, 'fit', {}, { receiptKey: { jwksUrl, refreshSeconds: 3600 } });

async function delivered(destination: Destination, adapter: Adapter) {
  const sealed = await sealedForSimulator(sim, resolver, destination);
  const outbound: OutboundMessage = {
    messageId: sealed.container.messageId,
    submissionId: 'case-1',
    destinationId: destination.id,
    serviceKey: '99050012104000',
    contentType: 'application/json',
    body: JSON.stringify(sealed.container),
  };
  const outcome = await adapter.deliver(outbound, undefined, signal());
  const state = (outcome as { state: { submissionId: string } }).state;
  return { state, submission: sim.submissions.get(state.submissionId)! };
}

async function pollOnce(adapter: Adapter, state: unknown): Promise<PollResult> {
  const result = await adapter.poll!(state, signal());
  if (result.kind !== 'polled') expect.fail(`the event log was unavailable: ${result.reason}`);
  return result;
}

/** The subscriber's accept of what it received, with the tags of the JWEs the simulator holds. */
const acceptPayload = (submission: FitConnectSimulator['submissions'] extends Map<string, infer S> ? S : never) => ({
  authenticationTags: {
    metadata: tagOf(submission.encryptedMetadata!),
    data: tagOf(submission.encryptedData!),
    attachments: Object.fromEntries([...submission.attachments].map(([id, jwe]) => [id, tagOf(jwe)])),
  },
});

describe('fitconnect event log: tolerant where FIT-Connect is', () => {
  it("takes the delivery service's own reject with set-payload 1.1.0 and claims more (toe, aud)", async () => {
    const destination = destinationFor();
    const adapter = createAdapter(destination, context);
    const { state } = await delivered(destination, adapter);
    await sim.deliveryService.reject(state.submissionId, problems, {
      schema: 'https://schema.fitko.de/fit-connect/set-payload/1.1.0/set-payload.schema.json',
      extraClaims: { toe: 1_764_000_000, aud: 'https://example.org/subscriber' },
    });
    const polled = await pollOnce(adapter, state);
    expect(polled.invalid).toEqual([]);
    expect(polled.held).toBeUndefined();
    expect(polled.receipt).toMatchObject({ kind: 'rejected', problems });
    expect(polled.state).toMatchObject({ eventsRead: 3 });
    await adapter.close?.();
  });

  it("takes the service's own entries without $schema, but not a subscriber's; a subscriber's 1.x.y with extra claims is taken", async () => {
    const destination = destinationFor();
    const adapter = createAdapter(destination, context);
    const { state, submission } = await delivered(destination, adapter);
    const noSchema = await sim.subscriber.sign(
      submission.submissionId,
      events.accept,
      acceptPayload(submission),
      undefined,
      {
        schema: null,
      },
    );
    const tolerated = await sim.subscriber.sign(
      submission.submissionId,
      events.accept,
      acceptPayload(submission),
      undefined,
      {
        schema: 'https://schema.fitko.de/fit-connect/set-payload/1.7.31/set-payload.schema.json',
        extraClaims: { toe: 1_764_000_000, aud: sim.url, 'https://example.org/claim': { x: 1 } },
      },
    );
    sim.appendRawEvent(submission.caseId, noSchema);
    sim.appendRawEvent(submission.caseId, tolerated);
    const polled = await pollOnce(adapter, state);
    expect(polled.invalid).toEqual([{ reason: 'claims', issuer: sim.destinationId }]);
    expect(polled.receipt).toMatchObject({ kind: 'accepted', set: tolerated });
    expect(polled.state).toMatchObject({ eventsRead: 4 });

    // The delivery service's own reject without $schema, in the next case.
    const next = await delivered(destination, adapter);
    await sim.deliveryService.reject(next.state.submissionId, problems, { schema: null });
    expect((await pollOnce(adapter, next.state)).receipt).toMatchObject({ kind: 'rejected' });
    await adapter.close?.();
  });

  it('refuses a set-payload 2.x.y and a $schema outside schema.fitko.de as final failures', async () => {
    const destination = destinationFor();
    const adapter = createAdapter(destination, context);
    const { state, submission } = await delivered(destination, adapter);
    for (const schema of [
      'https://schema.fitko.de/fit-connect/set-payload/2.0.0/set-payload.schema.json',
      'https://example.org/fit-connect/set-payload/1.2.2/set-payload.schema.json',
    ])
      sim.appendRawEvent(
        submission.caseId,
        await sim.subscriber.sign(submission.submissionId, events.accept, acceptPayload(submission), undefined, {
          schema,
        }),
      );
    const polled = await pollOnce(adapter, state);
    expect(polled.invalid.map((i) => i.reason)).toEqual(['claims', 'claims']);
    expect(polled.receipt).toBeUndefined();
    expect(polled.state).toMatchObject({ eventsRead: 4 });
    await adapter.close?.();
  });
});

describe('fitconnect event log: an entry that cannot be verified yet is never skipped', () => {
  it('holds the read position at an entry whose key is unknown, keeps what came before, and takes it once the key is published', async () => {
    const destination = destinationFor();
    // its own resolver: whether the key is known must depend on this test alone
    const adapter = createAdapter(destination, {
      ...context,
      keys: createKeyResolver({ minRefetchMs: 0, retryAfterFailureMs: 0 }),
    });
    const { state, submission } = await delivered(destination, adapter);
    // a final failure before it is skipped and reported; the held entry stops the read; the accept after it waits
    const genuine = await sim.subscriber.sign(submission.submissionId, events.accept, acceptPayload(submission));
    const rotated = await sim.subscriber.sign(
      submission.submissionId,
      events.accept,
      acceptPayload(submission),
      newKey,
    );
    sim.appendRawEvent(submission.caseId, 'not-a-set');
    sim.appendRawEvent(submission.caseId, rotated);
    sim.appendRawEvent(submission.caseId, genuine);

    const first = await pollOnce(adapter, state);
    expect(first.invalid).toEqual([{ reason: 'malformed' }]);
    expect(first.held).toEqual({ reason: 'unknown-key', issuer: sim.destinationId });
    expect(first.receipt).toBeUndefined();
    // create, submit and the malformed entry are passed; the rotated-key entry is not
    expect(first.state).toMatchObject({ eventsRead: 3 });
    expect(JSON.stringify(first)).not.toMatch(/"n":|"d":/);

    // Unchanged at the next poll: nothing is skipped while the key is missing.
    const again = await pollOnce(adapter, first.state);
    expect(again).toMatchObject({ held: { reason: 'unknown-key' }, invalid: [], state: { eventsRead: 3 } });

    // A gateway that has never read the key set (a fresh start) while it cannot be read: held for that reason.
    published.down = true;
    const restarted = createAdapter(destination, { ...context, keys: createKeyResolver({ retryAfterFailureMs: 0 }) });
    expect(await pollOnce(restarted, first.state)).toMatchObject({
      held: { reason: 'keys-unavailable', issuer: sim.destinationId },
      state: { eventsRead: 3 },
    });
    await restarted.close?.();

    published.down = false;
    published.newKey = true;
    const cured = await pollOnce(adapter, first.state);
    expect(cured.held).toBeUndefined();
    expect(cured.invalid).toEqual([]);
    expect(cured.receipt).toMatchObject({ kind: 'accepted', set: rotated });
    expect(cured.state).toMatchObject({ eventsRead: 5 });
    await adapter.close?.();
  });

  it('skips and reports final failures (a known key with a bad signature, another submission); reads past an event that decides nothing', async () => {
    const destination = destinationFor();
    const adapter = createAdapter(destination, context);
    const { state, submission } = await delivered(destination, adapter);
    const other = await delivered(destination, adapter);
    const forged = await sim.subscriber.sign(submission.submissionId, events.accept, acceptPayload(submission), {
      ...newKey,
      kid: 'test-recipient-sig-1',
    });
    const foreign = await sim.subscriber.sign(
      other.submission.submissionId,
      events.accept,
      acceptPayload(other.submission),
    );
    const unknown = await sim.subscriber.sign(submission.submissionId, 'https://example.org/events/x', {});
    for (const entry of [forged, foreign, unknown]) sim.appendRawEvent(submission.caseId, entry);
    const polled = await pollOnce(adapter, state);
    expect(polled.held).toBeUndefined();
    expect(polled.invalid.map((i) => i.reason)).toEqual(['signature', 'wrong-submission']);
    // an event that decides nothing (not accept or reject) is read past without a receipt
    expect(polled.receipt).toBeUndefined();
    expect(polled.state).toMatchObject({ eventsRead: 5 });
    await adapter.close?.();
  });
});

describe('delivery worker: held and final failures are counted, audited and shown on the delivery', () => {
  let fx: OutboxFixture | undefined;
  let worker: DeliveryWorker | undefined;
  const counted = { held: [] as string[], ignored: [] as string[] };
  afterEach(async () => {
    await worker?.stop(1000);
    worker = undefined;
    await fx?.close();
    fx = undefined;
    counted.held.length = 0;
    counted.ignored.length = 0;
  });

  async function start(destination: Destination) {
    fx = await outboxFixture();
    const sealed = await sealedForSimulator(sim, resolver, destination);
    const [id] = await fx.submit([destination.id], JSON.stringify(sealed.container), sealed.authenticationTags);
    worker = startDeliveryWorker({
      store: fx.store,
      routing: routingOf([destination]),
      // a resolver of its own: one that has cached the second key in an earlier test would find it at once
      adapterContext: { ...context, dataDir: fx.dir, configDir: fx.dir, keys: createKeyResolver({ minRefetchMs: 0 }) },
      logger: fx.logger,
      pollMs: 20,
      receiptPollTickMs: 20,
      onIgnoredReceipt: (_d, reason) => counted.ignored.push(reason),
      onHeldReceipt: (_d, reason) => counted.held.push(reason),
    });
    const store = fx.store;
    const deliveryOf = async () => (await store.listDeliveries({ ids: [id!], limit: 1 }))[0]!;
    await eventually(deliveryOf, (d) => d.state === 'delivered');
    return { id: id!, deliveryOf, store, submission: [...sim.submissions.values()].at(-1)! };
  }

  it('a delivery-service reject with set-payload 1.1.0 ends the delivery rejected', async () => {
    const { deliveryOf } = await start(destinationFor());
    await sim.deliveryService.reject([...sim.submissions.values()].at(-1)!.submissionId, problems, {
      schema: 'https://schema.fitko.de/fit-connect/set-payload/1.1.0/set-payload.schema.json',
      extraClaims: { toe: 1_764_000_000 },
    });
    const done = await eventually(deliveryOf, (d) => d.state === 'rejected');
    expect(done.state).toBe('rejected');
    expect(done.lastError).toBeUndefined();
    expect(counted.ignored).toEqual([]);
  });

  it('an entry whose key is unknown: counted at each poll, audited once, shown as lastError, taken once the key is there', async () => {
    const { id, deliveryOf, store, submission } = await start(destinationFor());
    const rotated = await sim.subscriber.sign(
      submission.submissionId,
      events.accept,
      acceptPayload(submission),
      newKey,
    );
    sim.appendRawEvent(submission.caseId, rotated);
    // held across several polls (pollSeconds 1), the read position before it
    await eventually(
      () => Promise.resolve(counted.held.length),
      (n) => n >= 2,
    );
    const waiting = await deliveryOf();
    expect(waiting.state).toBe('delivered');
    expect(waiting.lastError).toBe('receipt-held:unknown-key');
    const [pollable] = await store.listPollable({ destinationIds: ['fit'], limit: 10 });
    expect(pollable).toMatchObject({ id, adapterState: { eventsRead: 2 }, lastError: 'receipt-held:unknown-key' });
    expect(counted.held.every((r) => r === 'unknown-key')).toBe(true);
    const held = (await store.listAudit(20)).filter((e) => e.action === 'receipt-held');
    expect(held.map((e) => e.detail)).toEqual([
      { messageId: id, destinationId: 'fit', reason: 'unknown-key', issuer: sim.destinationId },
    ]);

    published.newKey = true;
    const done = await eventually(deliveryOf, (d) => d.state === 'accepted');
    expect(done.state).toBe('accepted');
    expect(done.lastError).toBeUndefined();
    expect(counted.ignored).toEqual([]);
  });

  it('a final failure is skipped once, audited, counted and shown until the genuine receipt', async () => {
    const { id, deliveryOf, store, submission } = await start(destinationFor());
    const forged = await sim.subscriber.sign(submission.submissionId, events.accept, acceptPayload(submission), {
      ...newKey,
      kid: 'test-recipient-sig-1',
    });
    sim.appendRawEvent(submission.caseId, forged);
    // the read position passes it: the poll saved eventsRead 3 (create, submit, the forged entry)
    const [pollable] = await eventually(
      () => store.listPollable({ destinationIds: ['fit'], limit: 10 }),
      ([p]) => (p?.adapterState as { eventsRead?: number } | undefined)?.eventsRead === 3,
    );
    expect(pollable).toMatchObject({ adapterState: { eventsRead: 3 }, lastError: 'receipt-ignored:signature' });
    expect(await deliveryOf()).toMatchObject({ state: 'delivered', lastError: 'receipt-ignored:signature' });
    expect(counted.ignored).toEqual(['signature']);
    expect(counted.held).toEqual([]);
    expect((await store.listAudit(20)).filter((e) => e.action === 'receipt-ignored').map((e) => e.detail)).toEqual([
      { messageId: id, destinationId: 'fit', reason: 'signature', issuer: sim.destinationId },
    ]);
    expect(await sim.subscriber.reject(submission.submissionId, problems)).toBe(204);
    expect((await eventually(deliveryOf, (d) => d.state === 'rejected')).state).toBe('rejected');
    expect(counted.ignored).toEqual(['signature']);
  });
});
