import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/config/routing-schema.js';
import { startDeliveryWorker, type DeliveryWorker } from '../../src/delivery/worker.js';
import { confirmReply } from '../../src/replies/confirm-reply.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/store/store.js';
import { eventually, routingOf, startReceiver, testDestination, type TestReceiver } from '../helpers/outbox.js';
import { type StoreLocation, storeFactories } from '../helpers/stores.js';

// Issue 24 item 3: the portal's confirmation of a reply goes back to a destination with a push adapter as a
// signed callback, through the outbox (retried, surviving restarts), on real SQLite and PostgreSQL stores and a
// real HTTP server.

const secret = 'whsec_' + Buffer.from('the reply-status secret, 32 byte').toString('base64');
process.env.AMTSBOTE_TEST_REPLY_STATUS_SECRET = secret;

let receiver: TestReceiver;
let worker: DeliveryWorker | undefined;
let location: StoreLocation;
let store: Store;
const logger = createLogger({
  level: 'fatal',
  destination: new Writable({
    write: (_c, _e, done) => {
      done();
    },
  }),
});

afterEach(async () => {
  await worker?.stop(1000);
  worker = undefined;
  await receiver.close();
  await store.close();
  await location.remove();
});

/** A submission with one sealed message to `push`, as intake accepts one; returns its ids. */
async function submit(): Promise<{ submissionId: string; messageId: string }> {
  const submissionId = randomUUID();
  const messageId = randomUUID();
  const receivedAt = new Date().toISOString();
  await store.acceptSubmission({
    submission: {
      id: submissionId,
      portalId: 'amt24',
      serviceKey: '99050012104000',
      regionKey: '146120000000',
      status: 'pending',
      test: false,
      dataHmac: 'x',
      attachments: [],
      receivedAt,
    },
    deliveries: [{ id: messageId, destinationId: 'push', state: 'pending' }],
    messages: [{ deliveryId: messageId, contentType: 'application/json', body: '{"format":"amtsbote-sealed/1"}' }],
    event: { at: receivedAt, type: 'received', data: { status: 'pending' } },
  });
  return { submissionId, messageId };
}

function pushDestination(adapter: Record<string, unknown> = {}): Destination {
  return testDestination('push', {
    kind: 'http',
    url: receiver.url + '/eingang',
    replyStatusUrl: receiver.url + '/antwort-status',
    timeoutMs: 2000,
    webhookSecret: 'env:AMTSBOTE_TEST_REPLY_STATUS_SECRET',
    ...adapter,
  });
}

/** A submission delivered to `push` and a reply of `push` to it, stored as the reply route stores one. */
async function replied(replyId: string) {
  const { submissionId, messageId } = await submit();
  const inserted = await store.insertReply(
    {
      id: replyId,
      submissionId: submissionId,
      destinationId: 'push',
      messageId,
      seq: 1,
      kind: 'notice',
      encryptionKid: 'portal-reply-1',
      bodySha512: 'sha512',
      signedMetadata: 'metadata',
      countersignature: 'countersignature',
      ciphertext: { encryptedData: 'JWE-DATA-MARKER', encryptedAttachments: { bescheid: 'JWE-PDF-MARKER' } },
      receivedAt: new Date().toISOString(),
    },
    { replyUrl: `https://gateway.example/v1/submissions/${submissionId}/replies/${replyId}` },
  );
  expect(inserted.kind).toBe('created');
  const reply = await store.getReply(replyId);
  return { reply: reply!, messageId, submissionId: submissionId };
}

/** What reached the status URL (the submission's own message goes to the message URL, `/eingang`). */
const statusPosts = () => receiver.received.filter((r) => r.path === '/antwort-status');

const statusesQueued = () => store.listDeliveries({ destinationId: 'reply-status:push', limit: 10 });

function startWorker(destinations: Destination[]) {
  worker = startDeliveryWorker({
    store: store,
    routing: routingOf(destinations),
    adapterContext: {
      dataDir: tmpdir(),
      configDir: tmpdir(),
      outbound: { allowLoopback: true, allowLinkLocal: false },
      now: () => new Date(),
    },
    logger,
    pollMs: 20,
  });
}

describe.each(storeFactories)('reply status pushed to a destination with the http adapter ($kind store)', (factory) => {
  beforeEach(async () => {
    location = await factory.create();
    store = location.open();
    await store.migrate();
    receiver = await startReceiver();
  });

  it('POSTs reply.confirmed to replyStatusUrl once, signed with its webhook secret, after a 503 retried', async () => {
    const destination = pushDestination();
    const { reply, messageId, submissionId } = await replied('reply-1');
    let calls = 0;
    receiver.respond = (r, res) => {
      if (r.path === '/antwort-status') calls++;
      res.writeHead(calls === 1 ? 503 : 200).end();
    };
    const deps = { store: store, clock: () => new Date(), routing: routingOf([destination]) };
    const confirmed = await confirmReply(deps, reply, { outcome: 'rejected', reason: 'Unterschrift fehlt' });
    // The same confirmation again answers as before and queues nothing more.
    await confirmReply(deps, reply, { outcome: 'rejected', reason: 'Unterschrift fehlt' });
    const queued = await statusesQueued();
    expect(queued).toHaveLength(1);

    // The gateway stops before sending it and starts again: the queued status is in the store, and goes.
    await store.close();
    store = location.open();
    startWorker([destination]);
    const done = await eventually(
      async () => (await store.listDeliveries({ ids: [queued[0]!.id], limit: 1 }))[0]!,
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    expect(await store.listAttempts(done.id)).toEqual([
      expect.objectContaining({ outcome: 'retry', httpStatus: 503 }),
      expect.objectContaining({ outcome: 'delivered', httpStatus: 200 }),
    ]);
    expect(statusPosts()).toHaveLength(2);
    const [first, second] = statusPosts();
    expect(second!.headers['webhook-id']).toBe(done.id);
    expect(first!.headers['webhook-id']).toBe(done.id);
    expect(second!.headers['content-type']).toBe('application/json');
    const headers = {
      'webhook-id': String(second!.headers['webhook-id']),
      'webhook-timestamp': String(second!.headers['webhook-timestamp']),
      'webhook-signature': String(second!.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(second!.body, headers)).toEqual({
      type: 'reply.confirmed',
      replyId: 'reply-1',
      submissionId,
      messageId,
      outcome: 'rejected',
      reason: 'Unterschrift fehlt',
      confirmedAt: confirmed.confirmedAt,
    });
    expect(() =>
      new Webhook('whsec_' + Buffer.from('another secret entirely, 32 byte').toString('base64')).verify(
        second!.body,
        headers,
      ),
    ).toThrow();
    // No content of the reply; the sealed message went to the message URL only.
    expect(second!.body).not.toContain('MARKER');
    expect(statusPosts().every((r) => !r.body.includes('amtsbote-sealed'))).toBe(true);
    expect(
      receiver.received.filter((r) => r.path === '/eingang').every((r) => r.body.includes('amtsbote-sealed')),
    ).toBe(true);
    // The submission's status still follows its messages only.
    expect((await store.getSubmission(submissionId))?.deliveries.map((d) => d.id)).toEqual([messageId]);
  });

  it('leaves out a reason the portal did not give', async () => {
    const destination = pushDestination();
    const { reply } = await replied('reply-2');
    await confirmReply({ store: store, clock: () => new Date(), routing: routingOf([destination]) }, reply, {
      outcome: 'accepted',
    });
    startWorker([destination]);
    const [queued] = await statusesQueued();
    const done = await eventually(
      async () => (await store.listDeliveries({ ids: [queued!.id], limit: 1 }))[0]!,
      (d) => d.state === 'delivered',
    );
    expect(done.state).toBe('delivered');
    expect(statusPosts()).toHaveLength(1);
    expect(JSON.parse(statusPosts()[0]!.body)).toMatchObject({ type: 'reply.confirmed', outcome: 'accepted' });
    expect(JSON.parse(statusPosts()[0]!.body)).not.toHaveProperty('reason');
  });

  it('queues nothing for a destination without replyStatusUrl: it polls its reply status', async () => {
    const { reply } = await replied('reply-3');
    await confirmReply(
      {
        store: store,
        clock: () => new Date(),
        routing: routingOf([pushDestination({ replyStatusUrl: undefined })]),
      },
      reply,
      { outcome: 'accepted' },
    );
    expect(await statusesQueued()).toEqual([]);
    expect((await store.getReply('reply-3'))?.state).toBe('accepted');
  });
});
