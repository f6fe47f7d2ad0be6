import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMailboxAdapter, mailboxAdapterConfigSchema } from '../../src/adapters/mailbox.js';
import { startDeliveryWorker, type DeliveryWorker } from '../../src/delivery/worker.js';
import { eventually, outboxFixture, routingOf, testDestination, type OutboxFixture } from '../helpers/outbox.js';

let fx: OutboxFixture;
let worker: DeliveryWorker | undefined;
beforeEach(async () => {
  fx = await outboxFixture();
});
afterEach(async () => {
  await worker?.stop(1000);
  await fx.close();
});

const mailbox = (id: string, pickupDays = 14) =>
  testDestination(id, { kind: 'mailbox', tokenHashes: ['sha256:' + 'a'.repeat(64)], pickupDays });

describe('mailbox', () => {
  it("puts messages into the destination's mailbox; the first fetch delivers; other mailboxes never see them", async () => {
    const [mine] = await fx.submit(['box-a']);
    const [theirs] = await fx.submit(['box-b']);
    worker = startDeliveryWorker({
      store: fx.store,
      routing: routingOf([mailbox('box-a'), mailbox('box-b')]),
      adapterContext: {
        dataDir: fx.dir,
        configDir: fx.dir,
        outbound: { allowLoopback: true, allowLinkLocal: false },
        now: () => new Date(),
      },
      logger: fx.logger,
      pollMs: 20,
    });
    const listed = await eventually(
      () => fx.store.listMailbox('box-a', undefined, 10),
      (l) => l.length === 1,
    );
    expect(listed.map((m) => [m.messageId, m.state])).toEqual([[mine, 'pending']]);
    expect(await fx.store.recordMailboxFetch('box-a', theirs!, new Date().toISOString())).toBe(false);
    expect(await fx.store.recordMailboxFetch('box-a', mine!, new Date().toISOString())).toBe(true);
    const [delivery] = await fx.store.listDeliveries({ ids: [mine!], limit: 1 });
    expect(delivery?.state).toBe('delivered');
    // still listed until a receipt closes it, now as delivered; a second fetch changes nothing
    expect((await fx.store.listMailbox('box-a', undefined, 10)).map((m) => m.state)).toEqual(['delivered']);
    expect(await fx.store.recordMailboxFetch('box-a', mine!, new Date().toISOString())).toBe(true);
    expect(
      (await fx.store.listEvents(delivery!.submissionId)).filter((e) => e.type === 'delivery').map((e) => e.data.state),
    ).toEqual(['delivered']);
  });

  it('dead-letters a message nobody fetches within the pickup period', async () => {
    const adapter = createMailboxAdapter(
      mailboxAdapterConfigSchema.parse({ kind: 'mailbox', tokenHashes: ['sha256:' + 'a'.repeat(64)], pickupDays: 14 }),
      {
        dataDir: fx.dir,
        configDir: fx.dir,
        outbound: { allowLoopback: true, allowLinkLocal: false },
        now: () => new Date('2026-11-25T10:00:00Z'),
      },
    );
    const message = {
      messageId: 'm',
      submissionId: 's',
      destinationId: 'box-a',
      serviceKey: 'x',
      contentType: 'application/json',
      body: '{}',
    };
    const first = await adapter.deliver(message, undefined, new AbortController().signal);
    expect(first).toEqual({
      kind: 'awaiting-pickup',
      until: new Date('2026-12-09T10:00:00Z'),
      state: { pickupUntil: '2026-12-09T10:00:00.000Z' },
    });
    const atDeadline = await adapter.deliver(
      message,
      { pickupUntil: '2026-12-09T10:00:00.000Z' },
      new AbortController().signal,
    );
    expect(atDeadline.kind).toBe('failed');
  });
});
