import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/config/routing-schema.js';
import { readTransportReferences } from '../../src/delivery/read-transport-references.js';
import { startDeliveryWorker, type DeliveryWorker } from '../../src/delivery/worker.js';
import { createKeyResolver } from '../../src/seal/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { events } from '../fixtures/fitconnect-simulator/rules.js';
import { fitConnectDestination, sealedForSimulator, secretEnv } from '../helpers/fitconnect.js';
import { eventually, outboxFixture, routingOf, type OutboxFixture } from '../helpers/outbox.js';
import { fixtureJwk } from '../seal/fixtures.js';

let sim: FitConnectSimulator;
let fx: OutboxFixture;
let worker: DeliveryWorker | undefined;
const resolver = createKeyResolver();
const ignored: string[] = [];

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  process.env[secretEnv] = sim.clientSecret;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  fx = await outboxFixture();
});
afterEach(async () => {
  await worker?.stop(1000);
  worker = undefined;
  await fx.close();
});

function start(destination: Destination) {
  worker = startDeliveryWorker({
    store: fx.store,
    routing: routingOf([destination]),
    adapterContext: {
      dataDir: fx.dir,
      configDir: fx.dir,
      outbound: { allowLoopback: true, allowLinkLocal: false },
      now: () => new Date(),
      keys: resolver,
    },
    logger: fx.logger,
    pollMs: 20,
    receiptPollTickMs: 20,
    onIgnoredReceipt: (_d, reason) => ignored.push(reason),
  });
}

async function submitSealed(destination: Destination) {
  const sealed = await sealedForSimulator(sim, resolver, destination);
  const [id] = await fx.submit([destination.id], JSON.stringify(sealed.container), sealed.authenticationTags);
  return id!;
}

const deliveryOf = async (id: string) => (await fx.store.listDeliveries({ ids: [id], limit: 1 }))[0]!;
const submissionIdOf = () => [...sim.submissions.values()].at(-1)!.submissionId;

describe('delivery worker with the fitconnect adapter', () => {
  it("delivers, then polls the event log until the subscriber's accept makes the delivery accepted", async () => {
    const destination = fitConnectDestination(sim);
    const id = await submitSealed(destination);
    start(destination);
    expect(
      (
        await eventually(
          () => deliveryOf(id),
          (d) => d.state === 'delivered',
        )
      ).state,
    ).toBe('delivered');
    // The ids the delivery service assigned are in the event of the delivery, and what the views read.
    const atSimulator = [...sim.submissions.values()].at(-1)!;
    const ids = { submissionId: atSimulator.submissionId, caseId: atSimulator.caseId };
    const delivered = (await fx.store.listEvents((await deliveryOf(id)).submissionId)).find(
      (e) => e.type === 'delivery' && e.data.state === 'delivered',
    );
    expect(delivered?.data.fitConnect).toEqual(ids);
    const references = await readTransportReferences({ store: fx.store, routing: routingOf([destination]) }, [
      { id, destinationId: destination.id },
    ]);
    expect(references.get(id)).toEqual({ fitConnect: ids });
    expect(await sim.subscriber.accept(submissionIdOf())).toBe(204);
    const done = await eventually(
      () => deliveryOf(id),
      (d) => d.state === 'accepted',
    );
    expect(done.state).toBe('accepted');
    expect((await fx.store.getSubmission(done.submissionId))?.status).toBe('accepted');
    const events = await fx.store.listEvents(done.submissionId);
    expect(events.at(-1)).toMatchObject({
      type: 'delivery',
      data: { state: 'accepted', receipt: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/) as unknown },
    });
  });

  it('ignores a SET with a bad signature — logged, audited and counted, without key material — and takes the genuine reject', async () => {
    const destination = fitConnectDestination(sim);
    const id = await submitSealed(destination);
    start(destination);
    await eventually(
      () => deliveryOf(id),
      (d) => d.state === 'delivered',
    );
    const submission = sim.submissions.get(submissionIdOf())!;
    const forged = await sim.subscriber.sign(
      submission.submissionId,
      events.accept,
      { authenticationTags: { metadata: 'AAAAAAAAAAAAAAAAAAAAAA', data: 'AAAAAAAAAAAAAAAAAAAAAA', attachments: {} } },
      { ...fixtureJwk('gateway-signing-1'), kid: 'test-recipient-sig-1' },
    );
    sim.appendRawEvent(submission.caseId, forged);
    const audit = await eventually(
      () => fx.store.listAudit(10),
      (entries) => entries.some((e) => e.action === 'receipt-ignored'),
    );
    expect(audit.find((e) => e.action === 'receipt-ignored')?.detail).toEqual({
      messageId: id,
      destinationId: 'fit',
      reason: 'signature',
      issuer: sim.destinationId,
    });
    expect(ignored).toContain('signature');
    expect(fx.logs()).toContain('ignored an event that failed verification');
    expect(fx.logs()).not.toContain(forged);
    expect(fx.logs()).not.toContain(String(fixtureJwk('recipient-receipt-signing').n).slice(0, 40));
    expect((await deliveryOf(id)).state).toBe('delivered');

    expect(
      await sim.subscriber.reject(submission.submissionId, [
        { type: 'https://schema.fitko.de/fit-connect/events/problems/x', title: 'Unvollständig' },
      ]),
    ).toBe(204);
    expect(
      (
        await eventually(
          () => deliveryOf(id),
          (d) => d.state === 'rejected',
        )
      ).state,
    ).toBe('rejected');
    // Reported once: the read position moved past the forged entry.
    expect((await fx.store.listAudit(10)).filter((e) => e.action === 'receipt-ignored')).toHaveLength(1);
  });

  it('keeps the ids of a submission the delivery service refused to take in the dead letter and its event', async () => {
    const destination = fitConnectDestination(sim);
    // Created and uploaded, then the final submit is refused for good: the case to take to FITKO's support.
    sim.failNext({ method: 'PUT', path: /\/submissions\/[0-9a-f-]+$/, status: 400 });
    const id = await submitSealed(destination);
    start(destination);
    const dead = await eventually(
      () => deliveryOf(id),
      (d) => d.state === 'dead-lettered',
    );
    expect(dead.state).toBe('dead-lettered');
    const atSimulator = [...sim.submissions.values()].at(-1)!;
    const ids = { submissionId: atSimulator.submissionId, caseId: atSimulator.caseId };
    const event = (await fx.store.listEvents(dead.submissionId)).at(-1);
    expect(event).toMatchObject({
      type: 'delivery',
      data: { state: 'dead-lettered', reason: 'fitconnect-submit-http-400', fitConnect: ids },
    });
    const references = await readTransportReferences({ store: fx.store, routing: routingOf([destination]) }, [
      { id, destinationId: destination.id },
    ]);
    expect(references.get(id)).toEqual({ fitConnect: ids });
    // Routed elsewhere since (another kind under the same id): the state is not FIT-Connect's to read any more.
    const elsewhere = { ...destination, adapter: { kind: 'mailbox' } } as unknown as Destination;
    const none = await readTransportReferences({ store: fx.store, routing: routingOf([elsewhere]) }, [
      { id, destinationId: destination.id },
    ]);
    expect(none.size).toBe(0);
  });

  it('honours Retry-After of a 429: the next attempt is scheduled no earlier', async () => {
    const destination = fitConnectDestination(sim);
    sim.failNext({ method: 'POST', path: /\/submissions$/, status: 429, retryAfter: '30' });
    const id = await submitSealed(destination);
    start(destination);
    const waiting = await eventually(
      () => deliveryOf(id),
      (d) => d.attempts === 1,
    );
    const [attempt] = await fx.store.listAttempts(id);
    expect(attempt).toMatchObject({ outcome: 'retry', httpStatus: 429, errorClass: 'fitconnect-create-http-429' });
    expect(waiting.state).toBe('pending');
    expect(Date.parse(waiting.nextAttemptAt!) - Date.parse(attempt!.startedAt)).toBeGreaterThanOrEqual(30_000);
  });
});
