import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../src/delivery/worker.js';
import { eventually, outboxFixture, routingOf, testDestination, type OutboxFixture } from '../helpers/outbox.js';

// Serial group (`*.serial.test.ts`, run after the parallel suite, one file at a time): this test stops and
// starts the machine's RabbitMQ itself, so no other test may be using the broker meanwhile.
const brokerUrl = 'amqp://guest:guest@127.0.0.1:5672';
const suffix = randomUUID().slice(0, 8);
const exchange = `amtsbote-restart-${suffix}`;
const queue = `amtsbote-restart-${suffix}`;

const brokerAccepts = () =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect(5672, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => {
      resolve(false);
    });
  });

/** A real restart: the whole broker node goes down (all connections with it) and comes back. */
const run = promisify(execFile);
async function restartBroker(): Promise<void> {
  await run('rabbitmqctl', ['shutdown'], { timeout: 60_000 });
  expect(await brokerAccepts()).toBe(false);
  await run('rabbitmq-server', ['-detached'], { timeout: 30_000 });
  await eventually(brokerAccepts, (up) => up, 60_000);
  // the port opens a moment before the broker takes logins
  await eventually(
    async () =>
      connect(brokerUrl).then(
        async (c) => {
          await c.close();
          return true;
        },
        () => false,
      ),
    (ok) => ok,
    30_000,
  );
}

async function declare(connection: ChannelModel) {
  const channel = await connection.createChannel();
  // durable, so that the queue and what was confirmed into it outlive the restart
  await channel.assertExchange(exchange, 'direct', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  await channel.bindQueue(queue, exchange, 'gewerbe');
  await channel.close();
}

let fx: OutboxFixture;
beforeAll(async () => {
  const connection = await connect(brokerUrl);
  await declare(connection);
  await connection.close();
  fx = await outboxFixture();
});
afterAll(async () => {
  const connection = await connect(brokerUrl);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await channel.deleteExchange(exchange);
  await connection.close();
  await fx.close();
});

describe('the outbox to RabbitMQ while the broker restarts', () => {
  it('loses nothing: deliveries retry over a new connection and every message id is in the durable queue', async () => {
    process.env.AMTSBOTE_TEST_AMQP_RESTART = brokerUrl;
    const destination = testDestination(
      'queue',
      { kind: 'amqp', url: 'env:AMTSBOTE_TEST_AMQP_RESTART', exchange, routingKey: 'gewerbe', timeoutMs: 2000 },
      {
        retry: { initialDelaySeconds: 0.2, maxDelaySeconds: 1, maxAttempts: 100 },
        breaker: { consecutiveFailures: 1000, halfOpenAfterSeconds: 1 },
      },
    );
    const ids: string[] = [];
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
      concurrency: 2,
    });
    // submissions keep coming before, during and after the restart (bounded by count)
    const phase = { restarted: false };
    let afterRestart = 0;
    const feeding = (async () => {
      for (let i = 0; i < 400 && afterRestart < 20; i++) {
        ids.push(...(await fx.submit(['queue'], `{"n":${i}}`)));
        if (phase.restarted) afterRestart++;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const delivered = async () =>
      (await fx.store.listDeliveries({ ids, limit: ids.length })).filter((d) => d.state === 'delivered').length;
    await eventually(delivered, (n) => n >= 10, 20_000);
    await restartBroker();
    phase.restarted = true;
    await feeding;
    await eventually(delivered, (n) => n >= ids.length, 60_000);
    await worker.stop(2000);

    // what the broker confirmed survived its restart: read the durable queue after the fact
    const connection = await connect(brokerUrl);
    const channel = await connection.createChannel();
    const received = new Set<string>();
    for (let i = 0; i < 500 && received.size < ids.length; i++) {
      const m = await channel.get(queue, { noAck: true });
      if (m) received.add(m.properties.messageId as string);
      else await new Promise((r) => setTimeout(r, 20));
    }
    await connection.close();
    expect(ids.filter((id) => !received.has(id))).toEqual([]);
    const attempts = (await Promise.all(ids.map((id) => fx.store.listAttempts(id)))).flat();
    expect(attempts.filter((a) => a.outcome === 'retry').length).toBeGreaterThan(0);
  });
});
