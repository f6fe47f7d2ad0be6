import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../src/delivery/worker.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { eventually, outboxFixture, routingOf, testDestination, type OutboxFixture } from '../helpers/outbox.js';

const brokerUrl = 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomUUID().slice(0, 8);
const exchange = `amtsbote-proxy-${suffix}`;
const queue = `amtsbote-proxy-${suffix}`;

let broker: ChannelModel;
let fx: OutboxFixture;
beforeAll(async () => {
  broker = await connect(brokerUrl);
  const channel = await broker.createChannel();
  await channel.assertExchange(exchange, 'direct', { durable: false });
  await channel.assertQueue(queue, { durable: false });
  await channel.bindQueue(queue, exchange, 'gewerbe');
  await channel.close();
  fx = await outboxFixture();
});
afterAll(async () => {
  const channel = await broker.createChannel();
  await channel.deleteQueue(queue);
  await channel.deleteExchange(exchange);
  await broker.close();
  await fx.close();
});

describe('the outbox to RabbitMQ through connections that are cut mid-burst', () => {
  it('loses nothing: every message id reaches the queue at least once and every delivery ends delivered', async () => {
    const proxy = await startTcpProxy(5672);
    process.env.AMTSBOTE_TEST_AMQP_PROXY = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
    const destination = testDestination(
      'queue',
      { kind: 'amqp', url: 'env:AMTSBOTE_TEST_AMQP_PROXY', exchange, routingKey: 'gewerbe', timeoutMs: 2000 },
      {
        retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2, maxAttempts: 100 },
        breaker: { consecutiveFailures: 1000, halfOpenAfterSeconds: 1 },
      },
    );
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(...(await fx.submit(['queue'], `{"n":${i}}`)));
    const worker = startDeliveryWorker({
      store: fx.store,
      routing: routingOf([destination]),
      adapterContext: {
        dataDir: fx.dir,
        configDir: fx.dir,
        outbound: { allowLoopback: true, allowLinkLocal: false },
        now: () => new Date(),
      },
      logger: fx.logger,
      pollMs: 20,
      concurrency: 4,
    });

    const received = new Set<string>();
    const consumer = await broker.createChannel();
    await consumer.consume(
      queue,
      (m) => {
        if (m?.properties.messageId) received.add(m.properties.messageId as string);
      },
      { noAck: true },
    );

    // cut every connection three times while the burst is under way
    for (let cut = 0; cut < 3; cut++) {
      await eventually(
        () => Promise.resolve(received.size),
        (n) => n >= (cut + 1) * 12,
        10_000,
      );
      proxy.cut();
    }
    await eventually(
      () => Promise.resolve(received.size),
      (n) => n >= ids.length,
      20_000,
    );
    await worker.stop(2000);
    await consumer.close();
    await proxy.close();
    expect([...ids].filter((id) => !received.has(id))).toEqual([]);
    const states = await Promise.all(
      ids.map(async (id) => (await fx.store.listDeliveries({ ids: [id], limit: 1 }))[0]?.state),
    );
    expect(states.filter((s) => s !== 'delivered')).toEqual([]);
    // the cuts did hit attempts: some were retried over a new connection
    const attempts = (await Promise.all(ids.map((id) => fx.store.listAttempts(id)))).flat();
    expect(attempts.filter((a) => a.outcome === 'retry').length).toBeGreaterThan(0);
  });
});
