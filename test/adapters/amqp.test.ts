import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpAdapterConfigSchema, createAmqpAdapter } from '../../src/adapters/amqp.js';
import type { Adapter } from '../../src/adapters/types.js';
import { testDestination } from '../helpers/outbox.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

// The real RabbitMQ on this machine (the test command makes sure it runs).
const brokerUrl = 'amqp://guest:guest@127.0.0.1:5672';
process.env.AMTSBOTE_TEST_AMQP_URL = brokerUrl;
const suffix = randomUUID().slice(0, 8);
const exchange = `amtsbote-test-${suffix}`;
const queue = `amtsbote-test-${suffix}`;

let broker: ChannelModel;
const adapters: Adapter[] = [];
beforeAll(async () => {
  broker = await connect(brokerUrl);
  const channel = await broker.createChannel();
  await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
  await channel.assertQueue(queue, { durable: false, autoDelete: false });
  await channel.bindQueue(queue, exchange, 'gewerbe');
  await channel.close();
});
afterAll(async () => {
  await Promise.all(
    adapters.map(async (a) => {
      await a.close?.();
    }),
  );
  const channel = await broker.createChannel();
  await channel.deleteQueue(queue);
  await channel.deleteExchange(exchange);
  await broker.close();
});

function adapterFor(exchangeName: string, urlRef = 'env:AMTSBOTE_TEST_AMQP_URL', id = 'queue'): Adapter {
  const adapter = createAmqpAdapter(
    amqpAdapterConfigSchema.parse({
      kind: 'amqp',
      url: urlRef,
      exchange: exchangeName,
      routingKey: 'gewerbe',
      timeoutMs: 5000,
    }),
    {
      dataDir: '/tmp',
      configDir: '/tmp',
      outbound: { allowLoopback: true, allowLinkLocal: false },
      now: () => new Date('2026-11-25T10:00:00Z'),
    },
    testDestination(id, { kind: 'amqp', url: urlRef, exchange: exchangeName, routingKey: 'gewerbe' }),
  );
  adapters.push(adapter);
  return adapter;
}

const message = (i: number) => ({
  messageId: `m-${suffix}-${i}`,
  submissionId: 's',
  destinationId: 'queue',
  serviceKey: '99050012104000',
  contentType: 'application/json',
  body: `{"format":"amtsbote-sealed/1","n":${i}}`,
});

async function drain(expected: number) {
  const channel = await broker.createChannel();
  const got = [];
  for (let i = 0; i < 50 && got.length < expected; i++) {
    const m = await channel.get(queue, { noAck: true });
    if (m) got.push(m);
    else await new Promise((r) => setTimeout(r, 50));
  }
  await channel.close();
  return got;
}

describe('amqp adapter against the real RabbitMQ', () => {
  it('publishes persistently with the message id and headers, delivered on the publisher confirm', async () => {
    const adapter = adapterFor(exchange);
    for (const i of [1, 2, 3])
      expect(await adapter.deliver(message(i), undefined, new AbortController().signal)).toEqual({ kind: 'delivered' });
    const got = await drain(3);
    expect(got.map((m) => m.content.toString())).toEqual([1, 2, 3].map((i) => message(i).body));
    expect(got[0]!.properties).toMatchObject({
      messageId: `m-${suffix}-1`,
      contentType: 'application/json',
      deliveryMode: 2,
    });
    expect(got[0]!.properties.headers).toMatchObject({
      'amtsbote-service': '99050012104000',
      'amtsbote-destination': 'queue',
      'amtsbote-standard': 'xgewerbeanzeige 2.2 alg.gewerbemeldung.0300',
    });
  });

  it('retries when the broker refuses (no such exchange) and reconnects for the next attempt', async () => {
    const missing = `amtsbote-missing-${suffix}`;
    const adapter = adapterFor(missing);
    const refused = await adapter.deliver(message(4), undefined, new AbortController().signal);
    expect(refused.kind).toBe('retry');
    const channel = await broker.createChannel();
    await channel.assertExchange(missing, 'direct', { durable: false, autoDelete: true });
    await channel.bindQueue(queue, missing, 'gewerbe');
    await channel.close();
    expect(await adapter.deliver(message(5), undefined, new AbortController().signal)).toEqual({ kind: 'delivered' });
    expect((await drain(1)).map((m) => m.properties.messageId as string)).toEqual([`m-${suffix}-5`]);
    const cleanup = await broker.createChannel();
    await cleanup.deleteExchange(missing);
    await cleanup.close();
  });

  it('retries when the broker cannot be reached', async () => {
    process.env.AMTSBOTE_TEST_AMQP_DOWN = 'amqp://guest:guest@127.0.0.1:1';
    const adapter = createAmqpAdapter(
      amqpAdapterConfigSchema.parse({
        kind: 'amqp',
        url: 'env:AMTSBOTE_TEST_AMQP_DOWN',
        exchange,
        routingKey: 'gewerbe',
        timeoutMs: 2000,
      }),
      {
        dataDir: '/tmp',
        configDir: '/tmp',
        outbound: { allowLoopback: true, allowLinkLocal: false },
        now: () => new Date(),
      },
      testDestination('queue', { kind: 'amqp', url: 'env:AMTSBOTE_TEST_AMQP_DOWN', exchange, routingKey: 'gewerbe' }),
    );
    expect(await adapter.deliver(message(6), undefined, new AbortController().signal)).toEqual({
      kind: 'retry',
      reason: 'amqp-connection',
    });
  });

  it('shares one connection per broker between destinations, and a refused exchange closes only its own channel', async () => {
    const proxy = await startTcpProxy(5672);
    process.env.AMTSBOTE_TEST_AMQP_POOLED = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
    const first = adapterFor(exchange, 'env:AMTSBOTE_TEST_AMQP_POOLED', 'queue-a');
    const second = adapterFor(exchange, 'env:AMTSBOTE_TEST_AMQP_POOLED', 'queue-b');
    const broken = adapterFor(`amtsbote-missing-${suffix}-pooled`, 'env:AMTSBOTE_TEST_AMQP_POOLED', 'queue-c');
    const signal = new AbortController().signal;
    expect(await first.deliver(message(7), undefined, signal)).toEqual({ kind: 'delivered' });
    expect((await broken.deliver(message(8), undefined, signal)).kind).toBe('retry');
    expect(await second.deliver(message(9), undefined, signal)).toEqual({ kind: 'delivered' });
    expect(await first.deliver(message(10), undefined, signal)).toEqual({ kind: 'delivered' });
    expect(proxy.accepted()).toBe(1);
    expect((await drain(3)).map((m) => m.properties.messageId as string)).toEqual(
      [7, 9, 10].map((i) => `m-${suffix}-${i}`),
    );
    // the last destination to let go closes the connection; the next use opens a new one
    await first.close?.();
    await second.close?.();
    await broken.close?.();
    const again = adapterFor(exchange, 'env:AMTSBOTE_TEST_AMQP_POOLED', 'queue-a');
    expect(await again.deliver(message(11), undefined, signal)).toEqual({ kind: 'delivered' });
    expect(proxy.accepted()).toBe(2);
    await drain(1);
    await proxy.close();
  });
});
