import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/config/routing-schema.js';
import { startDeliveryWorker, type DeliveryWorker } from '../../src/delivery/worker.js';
import {
  eventually,
  outboxFixture,
  routingOf,
  startReceiver,
  testDestination,
  type OutboxFixture,
  type TestReceiver,
} from '../helpers/outbox.js';

const secret = 'whsec_' + Buffer.from('a test webhook secret of 32 bytes').toString('base64');
process.env.AMTSBOTE_TEST_WEBHOOK_SECRET = secret;

let fx: OutboxFixture;
let receiver: TestReceiver;
let worker: DeliveryWorker | undefined;

beforeEach(async () => {
  fx = await outboxFixture();
  receiver = await startReceiver();
});
afterEach(async () => {
  await worker?.stop(1000);
  worker = undefined;
  await receiver.close();
  await fx.close();
});

function httpDestination(overrides: Record<string, unknown> = {}, adapter: Record<string, unknown> = {}): Destination {
  return testDestination(
    'push',
    {
      kind: 'http',
      url: receiver.url + '/eingang',
      timeoutMs: 2000,
      webhookSecret: 'env:AMTSBOTE_TEST_WEBHOOK_SECRET',
      ...adapter,
    },
    overrides,
  );
}

function start(destinations: Destination[], extra: Partial<Parameters<typeof startDeliveryWorker>[0]> = {}) {
  worker = startDeliveryWorker({
    store: fx.store,
    routing: routingOf(destinations),
    adapterContext: {
      dataDir: fx.dir,
      configDir: fx.dir,
      outbound: { allowLoopback: true, allowLinkLocal: false },
      now: () => new Date(),
    },
    logger: fx.logger,
    pollMs: 20,
    ...extra,
  });
  return worker;
}

const deliveryOf = async (id: string) => (await fx.store.listDeliveries({ ids: [id], limit: 1 }))[0]!;

describe('delivery worker with the http adapter', () => {
  it('POSTs the sealed message with its message id and a verifiable Standard Webhooks signature', async () => {
    const [id] = await fx.submit(['push'], '{"format":"amtsbote-sealed/1","messageId":"m"}');
    start([httpDestination()]);
    const done = await eventually(
      () => deliveryOf(id!),
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    expect(request.body).toBe('{"format":"amtsbote-sealed/1","messageId":"m"}');
    expect(request.headers['amtsbote-message-id']).toBe(id);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(() => new Webhook(secret).verify(request.body, headers)).not.toThrow();
    expect(() =>
      new Webhook('whsec_' + Buffer.from('another secret entirely, 32 byte').toString('base64')).verify(
        request.body,
        headers,
      ),
    ).toThrow();
    const submission = await fx.store.getSubmission(done.submissionId);
    expect(submission?.status).toBe('delivered');
    const events = await fx.store.listEvents(done.submissionId);
    expect(events.at(-1)).toMatchObject({
      type: 'delivery',
      data: { state: 'delivered', status: 'delivered', messageId: id },
    });
    expect(await fx.store.listAttempts(id!)).toEqual([
      expect.objectContaining({ outcome: 'delivered', httpStatus: 200 }),
    ]);
  });

  it('retries 500 and 503 and delivers once the receiver recovers', async () => {
    let calls = 0;
    receiver.respond = (_r, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : calls === 2 ? 503 : 200).end();
    };
    const [id] = await fx.submit(['push']);
    start([httpDestination()]);
    const done = await eventually(
      () => deliveryOf(id!),
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    expect((await fx.store.listAttempts(id!)).map((a) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 500],
      ['retry', 503],
      ['delivered', 200],
    ]);
  });

  it('honours Retry-After on 429', async () => {
    let calls = 0;
    receiver.respond = (_r, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(204).end();
    };
    const [id] = await fx.submit(['push']);
    start([httpDestination()]);
    const done = await eventually(
      () => deliveryOf(id!),
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('dead-letters a permanent refusal (410) at once, and gives up after the last attempt', async () => {
    receiver.respond = (r, res) => res.writeHead(r.body.includes('gone') ? 410 : 502).end();
    const [gone] = await fx.submit(['push'], '{"gone":true}');
    const [failing] = await fx.submit(['push'], '{"failing":true}');
    start([httpDestination({ retry: { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02, maxAttempts: 3 } })]);
    const a = await eventually(
      () => deliveryOf(gone!),
      (d) => d.state === 'dead-lettered',
    );
    expect(a).toMatchObject({ state: 'dead-lettered', attempts: 1, lastError: 'http-410' });
    const b = await eventually(
      () => deliveryOf(failing!),
      (d) => d.state === 'dead-lettered',
    );
    expect(b).toMatchObject({ state: 'dead-lettered', attempts: 3, lastError: 'http-502 (after 3 attempts)' });
    expect((await fx.store.getSubmission(b.submissionId))?.status).toBe('dead-lettered');
  });

  it('aborts a hanging receiver and retries', async () => {
    let calls = 0;
    receiver.respond = (_r, res) => {
      calls++;
      if (calls > 1) res.writeHead(200).end();
      // the first request is never answered
    };
    const [id] = await fx.submit(['push']);
    start([httpDestination({}, { timeoutMs: 300 })]);
    const done = await eventually(
      () => deliveryOf(id!),
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    const attempts = await fx.store.listAttempts(id!);
    expect(attempts[0]).toMatchObject({ outcome: 'retry' });
    expect(attempts[0]!.errorClass).toMatch(/TIMEOUT|timeout/i);
  });

  it('opens the circuit after repeated failures, makes no attempts while open, probes and closes on recovery', async () => {
    let healthy = false;
    receiver.respond = (_r, res) => res.writeHead(healthy ? 200 : 500).end();
    const ids = await Promise.all([1, 2, 3, 4].map(() => fx.submit(['push']).then((x) => x[0]!)));
    const destination = httpDestination({
      breaker: { consecutiveFailures: 3, halfOpenAfterSeconds: 0.6 },
      retry: { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02, maxAttempts: 100 },
    });
    const w = start([destination], { concurrency: 1 });
    await eventually(
      () => Promise.resolve(w.breakers.states().push),
      (s) => s === 'open',
    );
    expect(w.breakers.states().push).toBe('open');
    const whileOpen = receiver.received.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(whileOpen);
    for (const id of ids) expect((await deliveryOf(id)).state).toBe('pending');
    healthy = true;
    for (const id of ids)
      expect(
        (
          await eventually(
            () => deliveryOf(id),
            (d) => d.state === 'delivered',
          )
        ).state,
      ).toBe('delivered');
    expect(w.breakers.states().push).toBe('closed');
  });

  it('logs a warning naming the destination when its circuit opens, and an info line when it closes', async () => {
    let healthy = false;
    receiver.respond = (_r, res) => res.writeHead(healthy ? 200 : 503).end();
    const [id] = await fx.submit(['push']);
    const destination = httpDestination({
      breaker: { consecutiveFailures: 2, halfOpenAfterSeconds: 0.3 },
      retry: { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02, maxAttempts: 100 },
    });
    const w = start([destination], { concurrency: 1 });
    await eventually(
      () => Promise.resolve(w.breakers.states().push),
      (s) => s === 'open',
    );
    const lines = () =>
      fx
        .logs()
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { level: number; msg: string; destinationId?: string; consecutiveFailures?: number },
        );
    const opened = lines().filter((l) => l.msg.startsWith('circuit breaker opened'));
    expect(opened).toEqual([expect.objectContaining({ level: 40, destinationId: 'push', consecutiveFailures: 2 })]);
    healthy = true;
    await eventually(
      () => deliveryOf(id!),
      (d) => d.state === 'delivered',
    );
    expect(lines().filter((l) => l.msg.startsWith('circuit breaker closed'))).toEqual([
      expect.objectContaining({ level: 30, destinationId: 'push' }),
    ]);
  });
});

describe('leases and fencing', () => {
  it('lets no stalled attempt record its outcome over a newer claim', async () => {
    const [id] = await fx.submit(['push']);
    const t0 = new Date();
    const first = await fx.store.claimDeliveries({
      owner: 'stalled',
      now: t0.toISOString(),
      leaseUntil: new Date(t0.getTime() + 1000).toISOString(),
      limit: 10,
      excludeDestinations: [],
    });
    expect(first.map((c) => c.id)).toEqual([id]);
    // while the lease holds, nobody else gets it
    expect(
      await fx.store.claimDeliveries({
        owner: 'other',
        now: t0.toISOString(),
        leaseUntil: t0.toISOString(),
        limit: 10,
        excludeDestinations: [],
      }),
    ).toEqual([]);
    const later = new Date(t0.getTime() + 2000);
    const second = await fx.store.claimDeliveries({
      owner: 'fresh',
      now: later.toISOString(),
      leaseUntil: new Date(later.getTime() + 60_000).toISOString(),
      limit: 10,
      excludeDestinations: [],
    });
    expect(second[0]!.fence).toBe(first[0]!.fence + 1);
    const attempt = { worker: 'x', startedAt: t0.toISOString(), durationMs: 5, outcome: 'delivered' as const };
    const stale = await fx.store.recordAttempt({
      id: id!,
      fence: first[0]!.fence,
      attempt,
      transition: { state: 'delivered', attempts: 1, nextAttemptAt: null },
      now: later.toISOString(),
    });
    expect(stale).toBe(false);
    expect((await deliveryOf(id!)).state).toBe('pending');
    const fresh = await fx.store.recordAttempt({
      id: id!,
      fence: second[0]!.fence,
      attempt: { ...attempt, outcome: 'retry' },
      transition: { state: 'pending', attempts: 1, nextAttemptAt: later.toISOString(), lastError: 'http-500' },
      now: later.toISOString(),
    });
    expect(fresh).toBe(true);
    expect(await fx.store.listAttempts(id!)).toEqual([
      expect.objectContaining({ fence: second[0]!.fence, outcome: 'retry' }),
    ]);
    expect(await fx.store.renewLease(id!, first[0]!.fence, later.toISOString())).toBe(false);
  });

  it('skips destinations with an open circuit when claiming', async () => {
    const [a] = await fx.submit(['alpha']);
    const [b] = await fx.submit(['beta']);
    const now = new Date().toISOString();
    const claimed = await fx.store.claimDeliveries({
      owner: 'w',
      now,
      leaseUntil: now,
      limit: 10,
      excludeDestinations: ['alpha'],
    });
    expect(claimed.map((c) => c.id)).toEqual([b]);
    expect(a).toBeDefined();
  });
});
