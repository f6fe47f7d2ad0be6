import { afterEach, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../src/config/gateway-schema.js';
import { retentionPlan } from '../../src/delivery/retention-plan.js';
import { startHousekeeping } from '../../src/delivery/housekeeping.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/store/store.js';
import { verifyChain } from '../../src/store/verify-chain.js';
import { storeFactories, type StoreLocation } from '../helpers/stores.js';

// Retention with an injected clock: periods count from when a submission became final.
const gewerbe = '99050012104000';
const melde = '99115005104000';
const retention = gatewaySchema.shape.retention.parse({
  sealedMessageDays: 14,
  escrowDays: 30,
  idempotencyKeyDays: 30,
  eventLogDays: 365,
  auditDays: 730,
  // registration data goes sooner
  services: { [melde]: { sealedMessageDays: 2, eventLogDays: 90 } },
});

const locations: StoreLocation[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  await Promise.all(locations.splice(0).map((l) => l.remove()));
});

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

/** A submission received on `receivedDay`, its one delivery ending in `state` a day later. */
async function submit(
  store: Store,
  id: string,
  serviceKey: string,
  receivedDay: number,
  state: 'delivered' | 'dead-lettered' | 'pending',
) {
  await store.acceptSubmission({
    submission: {
      id,
      portalId: 'amt24',
      serviceKey,
      regionKey: '146120000000',
      status: 'pending',
      test: false,
      dataHmac: 'hmac-sha512:x',
      attachments: [],
      receivedAt: day(receivedDay),
    },
    deliveries: [{ id: `${id}-m`, destinationId: 'd', state: 'pending' }],
    messages: [{ deliveryId: `${id}-m`, contentType: 'application/json', body: '{"format":"amtsbote-sealed/1"}' }],
    escrow: { escrowKid: 'esc-1', body: 'jwe' },
    event: { at: day(receivedDay), type: 'received', data: { status: 'pending' } },
    idempotency: { key: `key-${id}`, contentHmac: 'c', expiresAt: day(receivedDay + 1000) },
  });
  if (state === 'pending') return;
  const at = day(receivedDay + 1);
  const [claim] = await store.claimDeliveries({
    owner: 'w',
    now: at,
    leaseUntil: at,
    limit: 1,
    excludeDestinations: [],
  });
  expect(claim?.id).toBe(`${id}-m`);
  await store.recordAttempt({
    id: claim!.id,
    fence: claim!.fence,
    attempt: { worker: 'w', startedAt: at, durationMs: 1, outcome: state === 'delivered' ? 'delivered' : 'failed' },
    transition: { state, attempts: 1, nextAttemptAt: null },
    now: at,
  });
}

const nothing = {
  sealedMessages: 0,
  escrowCopies: 0,
  idempotencyKeys: 0,
  eventLogs: 0,
  auditRecords: 0,
  replyCiphertexts: 0,
};

/** A reply to `submissionId` received on `receivedDay`, confirmed on `confirmedDay` (or not at all). */
async function reply(store: Store, id: string, submissionId: string, receivedDay: number, confirmedDay?: number) {
  const inserted = await store.insertReply(
    {
      id,
      submissionId,
      destinationId: 'd',
      messageId: `${submissionId}-m`,
      seq: 1,
      kind: 'notice',
      encryptionKid: 'portal-reply-1',
      bodySha512: 'sha512',
      signedMetadata: `metadata-of-${id}`,
      countersignature: `countersignature-of-${id}`,
      ciphertext: { encryptedData: `jwe-data-${id}`, encryptedAttachments: { bescheid: `jwe-pdf-${id}` } },
      receivedAt: day(receivedDay),
    },
    { replyUrl: `https://gateway.example/v1/submissions/${submissionId}/replies/${id}` },
  );
  expect(inserted.kind).toBe('created');
  if (confirmedDay === undefined) return;
  await store.recordReplyFetch(id, day(confirmedDay));
  const confirmed = await store.confirmReply({
    replyId: id,
    submissionId,
    confirmation: { outcome: 'accepted' },
    at: day(confirmedDay),
  });
  expect(confirmed).toBe(true);
}

describe.each(storeFactories)(
  'retention on the $kind store: the purge deletes what has expired, per service, and nothing else',
  (factory) => {
    async function freshStore(): Promise<Store> {
      const location = await factory.create();
      locations.push(location);
      const store = location.open();
      stores.push(store);
      await store.migrate();
      return store;
    }

    it('counts in a dry run exactly what it then deletes, and a second run finds nothing', async () => {
      const store = await freshStore();
      await submit(store, 'gw-old', gewerbe, 0, 'delivered');
      await submit(store, 'gw-dead', gewerbe, 0, 'dead-lettered');
      await submit(store, 'gw-recent', gewerbe, 395, 'delivered');
      await submit(store, 'melde-old', melde, 380, 'delivered');
      // last, so the claims above do not pick it up
      await submit(store, 'gw-open', gewerbe, 0, 'pending');
      await store.appendAudit({ at: day(-800), actor: 'admin', action: 'routing.change', detail: {} });
      await store.appendAudit({ at: day(390), actor: 'admin', action: 'routing.change', detail: {} });

      const now = new Date(day(400));
      const plan = retentionPlan(retention, now);
      const expected = {
        // gw-old (14 days) and melde-old (2 days); gw-recent is 4 days final, the others not final
        sealedMessages: 2,
        // 30 days: gw-old only (melde-old is 19 days final)
        escrowCopies: 1,
        idempotencyKeys: 1,
        // 365 days: gw-old; melde's 90 days are not over either
        eventLogs: 1,
        auditRecords: 1,
        replyCiphertexts: 0,
      };
      expect(await store.purgeExpired(plan, true)).toEqual(expected);
      // the dry run deleted nothing
      expect(await store.purgeExpired(plan, true)).toEqual(expected);
      expect(await store.purgeExpired(plan, false)).toEqual(expected);
      expect(await store.purgeExpired(plan, false)).toEqual(nothing);

      expect(await store.getSealedMessage('gw-old-m')).toBeUndefined();
      expect(await store.getSealedMessage('melde-old-m')).toBeUndefined();
      expect(await store.getEscrowCopy('gw-old')).toBeUndefined();
      expect(await store.getEscrowCopy('melde-old')).toBeDefined();
      expect(await store.findIdempotencyKey('amt24', 'key-gw-old', now.toISOString())).toBeUndefined();
      expect(await store.findIdempotencyKey('amt24', 'key-gw-recent', now.toISOString())).toBeDefined();
      // a dead letter and an open delivery keep everything: they may still be replayed or delivered
      for (const id of ['gw-dead', 'gw-open']) {
        expect(await store.getSealedMessage(`${id}-m`)).toBeDefined();
        expect(await store.getEscrowCopy(id)).toBeDefined();
        expect((await store.listEvents(id)).length).toBeGreaterThan(0);
      }
      expect((await store.listAudit(10)).map((a) => a.at)).toEqual([day(390)]);
      // the submission and its delivery stay, without payload: its status can still be asked for
      expect((await store.getSubmission('gw-old'))?.serviceKey).toBe(gewerbe);
    });

    it('ends a purged event log in one purge event that chains to what was deleted, and the chain still verifies', async () => {
      const store = await freshStore();
      await submit(store, 'gw-old', gewerbe, 0, 'delivered');
      const before = await store.listEvents('gw-old');
      expect(verifyChain('gw-old', before)).toEqual({ ok: true });
      const last = before.at(-1)!;

      await store.purgeExpired(retentionPlan(retention, new Date(day(400))), false);
      const after = await store.listEvents('gw-old');
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        type: 'log-purged',
        seq: last.seq + 1,
        prevHash: last.hash,
        data: { deletedEvents: before.length, lastSeq: last.seq },
      });
      expect(verifyChain('gw-old', after)).toEqual({ ok: true });
      // what remains cannot be changed unnoticed
      expect(verifyChain('gw-old', [{ ...after[0]!, data: { deletedEvents: 0 } }]).ok).toBe(false);
    });

    it("the melde service's shorter event-log period applies to it alone", async () => {
      const store = await freshStore();
      await submit(store, 'melde', melde, 0, 'delivered');
      await submit(store, 'gw', gewerbe, 0, 'delivered');
      await store.purgeExpired(retentionPlan(retention, new Date(day(200))), false);
      expect((await store.listEvents('melde')).map((e) => e.type)).toEqual(['log-purged']);
      expect((await store.listEvents('gw')).map((e) => e.type)).not.toContain('log-purged');
    });

    it("housekeeping runs the plan at the clock's time and audits how much it deleted", async () => {
      const store = await freshStore();
      await submit(store, 'gw-old', gewerbe, 0, 'delivered');
      const housekeeping = startHousekeeping({
        store,
        logger: createLogger({ level: 'silent' }),
        clock: () => new Date(day(20)),
        retention,
      });
      expect(await housekeeping.runOnce()).toEqual({ ...nothing, sealedMessages: 1 });
      housekeeping.stop();
      const [audit] = await store.listAudit(1);
      expect(audit).toMatchObject({ actor: 'housekeeping', action: 'retention.purge', detail: { sealedMessages: 1 } });
    });
    it('deletes the ciphertext of replies confirmed replyDays ago, and keeps their metadata and the event log', async () => {
      const store = await freshStore();
      await submit(store, 'answered', gewerbe, 0, 'delivered');
      await reply(store, 'r-old', 'answered', 2, 3);
      await submit(store, 'answered-recently', gewerbe, 20, 'delivered');
      await reply(store, 'r-recent', 'answered-recently', 21, 25);
      await submit(store, 'unconfirmed', gewerbe, 0, 'delivered');
      await reply(store, 'r-open', 'unconfirmed', 2);
      const eventsBefore = await store.listEvents('answered');

      // day 40: 30 days (the default) after r-old's confirmation on day 3, not after r-recent's on day 25
      const now = new Date(day(40));
      const plan = retentionPlan(retention, now);
      expect(retention.replyDays).toBe(30);
      expect((await store.purgeExpired(plan, true)).replyCiphertexts).toBe(1);
      expect((await store.getReply('r-old'))?.ciphertext).toBeDefined();
      expect((await store.purgeExpired(plan, false)).replyCiphertexts).toBe(1);
      expect((await store.purgeExpired(plan, false)).replyCiphertexts).toBe(0);

      const old = await store.getReply('r-old');
      expect(old?.ciphertext).toBeUndefined();
      expect(old).toMatchObject({
        state: 'accepted',
        kind: 'notice',
        signedMetadata: 'metadata-of-r-old',
        countersignature: 'countersignature-of-r-old',
        confirmation: { outcome: 'accepted' },
        ciphertextDeletedAt: now.toISOString(),
      });
      expect(await store.listEvents('answered')).toEqual(eventsBefore);
      expect(verifyChain('answered', eventsBefore)).toEqual({ ok: true });
      // a reply not yet confirmed, or confirmed recently, keeps its content for the portal
      expect((await store.getReply('r-recent'))?.ciphertext?.encryptedData).toBe('jwe-data-r-recent');
      expect((await store.getReply('r-open'))?.ciphertext?.encryptedAttachments).toEqual({
        bescheid: 'jwe-pdf-r-open',
      });
    });
  },
);
