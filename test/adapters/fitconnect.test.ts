import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/adapters/index.js';
import { destinationKeySources } from '../../src/config/destination-key-sources.js';
import type { Destination } from '../../src/config/routing-schema.js';
import type { Adapter, OutboundMessage, PollResult } from '../../src/adapters/types.js';
import type { FitConnectSealInput } from '../../src/seal/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { events } from '../fixtures/fitconnect-simulator/rules.js';
import { fixtureJwk } from '../seal/fixtures.js';
import {
  fitConnectDestination,
  fitConnectKeyResolver,
  samplePdf,
  sampleXml,
  sealedForSimulator,
  secretEnv,
} from '../helpers/fitconnect.js';

let sim: FitConnectSimulator;
const keyResolver = fitConnectKeyResolver();
const resolver = keyResolver.resolver;
const context = {
  dataDir: '.',
  configDir: '.',
  outbound: { allowLoopback: true, allowLinkLocal: false },
  now: () => new Date(),
  keys: resolver,
};
/** What the delivery worker hands the adapter: the destination with its derived receipt key source. */
const withKeys = (destination: Destination) => ({
  ...destination,
  receiptKey: destinationKeySources(destination).receipt,
});
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  process.env[secretEnv] = sim.clientSecret;
});
afterAll(async () => {
  await keyResolver.close();
  await sim.close();
});
afterEach(() => {
  sim.setDestinationStatus('active');
  process.env[secretEnv] = sim.clientSecret;
});

async function message(destination = fitConnectDestination(sim), overrides: Partial<FitConnectSealInput> = {}) {
  const sealed = await sealedForSimulator(sim, resolver, destination, overrides);
  const outbound: OutboundMessage = {
    messageId: sealed.container.messageId,
    submissionId: 'case-1',
    destinationId: destination.id,
    serviceKey: '99050012104000',
    contentType: 'application/json',
    body: JSON.stringify(sealed.container),
  };
  return { sealed, outbound, destination };
}

/** One poll of the event log, which must have been readable. */
async function pollOnce(adapter: Adapter, state: unknown): Promise<PollResult> {
  const result = await adapter.poll!(state, signal());
  if (result.kind !== 'polled') expect.fail(`the event log was unavailable: ${result.reason}`);
  return result;
}

const requestsSince = (from: number) =>
  sim.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')} ${r.status}`);

describe('fitconnect adapter against the simulated delivery service', () => {
  it('creates the submission, uploads the attachment, submits metadata and data; the subscriber finds what was sealed', async () => {
    const { sealed, outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const saved: unknown[] = [];
    const from = sim.requests.length;
    const outcome = await adapter.deliver(outbound, undefined, signal(), (s) => {
      saved.push(s);
      return Promise.resolve();
    });
    expect(outcome).toMatchObject({
      kind: 'delivered',
      state: { submitted: true, uploaded: [sealed.container.attachments[0]!.attachmentId] },
    });
    expect(requestsSince(from)).toEqual([
      'POST /token 200',
      'GET /submission-api/v2/destinations/:id 200',
      'POST /submission-api/v2/submissions 201',
      'PUT /submission-api/v2/submissions/:id/attachments/:id 204',
      'PUT /submission-api/v2/submissions/:id 200',
    ]);
    // Progress was persisted after the create and after each upload, before the next step.
    expect(saved).toHaveLength(2);
    const submissionId = (outcome as { state: { submissionId: string } }).state.submissionId;
    const submission = sim.submissions.get(submissionId)!;
    expect(submission.state).toBe('submitted');
    expect(submission.publicService).toEqual({
      name: 'Gewerbeanmeldung',
      identifier: 'urn:de:fim:leika:leistung:99050012104000',
    });

    const opened = await sim.subscriber.open(submissionId);
    expect(opened.data).toBe(sampleXml);
    expect(opened.dataCty).toBe('application/xml');
    const structure = opened.metadata.contentStructure as {
      data: { hash: { content: string } };
      attachments: { attachmentId: string; hash: { content: string }; mimeType: string }[];
    };
    expect(structure.data.hash.content).toBe(createHash('sha512').update(sampleXml).digest('hex'));
    const [attachment] = structure.attachments;
    expect(opened.attachments.get(attachment!.attachmentId)).toEqual({ content: samplePdf, cty: 'application/pdf' });
    expect(attachment!.hash.content).toBe(createHash('sha512').update(samplePdf).digest('hex'));
    await adapter.close?.();
  });

  it('sends data above the threshold as a purpose data attachment with the empty placeholder; the subscriber reassembles them and its accept matches', async () => {
    const { sealed, outbound, destination } = await message(fitConnectDestination(sim), {
      dataAttachmentAboveBytes: Buffer.byteLength(sampleXml) - 1,
    });
    expect(sealed.container.encryptedData).toBe('');
    const adapter = createAdapter(withKeys(destination), context);
    const outcome = await adapter.deliver(outbound, undefined, signal());
    const state = (outcome as { state: { submissionId: string; uploaded: string[] } }).state;
    expect(outcome.kind).toBe('delivered');
    // Both attachments announced and uploaded: the portal's and the data.
    expect(state.uploaded).toEqual(sealed.container.attachments.map((a) => a.attachmentId));
    expect(sim.submissions.get(state.submissionId)?.encryptedData).toBe('');

    const opened = await sim.subscriber.open(state.submissionId);
    expect(opened.data).toBe(sampleXml);
    expect(opened.dataCty).toBe('application/xml');
    expect(opened.metadata).toEqual(sealed.metadata);

    expect(await sim.subscriber.accept(state.submissionId)).toBe(204);
    const polled = await pollOnce(adapter, state);
    expect(polled.invalid).toEqual([]);
    expect(polled.receipt).toMatchObject({ kind: 'accepted', authenticationTags: sealed.authenticationTags });
    await adapter.close?.();
  });

  it("reads the event log: nothing final after submit; the subscriber's accept becomes the receipt with the sealed tags", async () => {
    const { sealed, outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const delivered = await adapter.deliver(outbound, undefined, signal());
    const state = (delivered as { state: { submissionId: string } }).state;
    const first = await pollOnce(adapter, state);
    expect(first.receipt).toBeUndefined();
    expect(first.invalid).toEqual([]);
    expect(first.state).toMatchObject({ eventsRead: 2 });
    expect(await sim.subscriber.accept(state.submissionId)).toBe(204);
    const second = await pollOnce(adapter, first.state);
    expect(second.invalid).toEqual([]);
    expect(second.receipt).toMatchObject({ kind: 'accepted', authenticationTags: sealed.authenticationTags });
    expect(second.state).toMatchObject({ eventsRead: 3 });
    await adapter.close?.();
  });

  it('reports an event log it cannot read as unavailable, with a typed reason, and reads it at the next poll', async () => {
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const state = ((await adapter.deliver(outbound, undefined, signal())) as { state: { submissionId: string } }).state;
    sim.failNext({ method: 'GET', path: /\/cases\/.*\/events/, status: 503 });
    expect(await adapter.poll!(state, signal())).toEqual({ kind: 'unavailable', reason: 'fitconnect-events-http-503' });
    expect((await pollOnce(adapter, state)).state).toMatchObject({ eventsRead: 2 });
    await adapter.close?.();
  });

  it('maps a reject with its problems', async () => {
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const state = ((await adapter.deliver(outbound, undefined, signal())) as { state: { submissionId: string } }).state;
    const problems = [
      {
        type: 'https://schema.fitko.de/fit-connect/events/problems/missing-attachment',
        title: 'Anlage fehlt',
        detail: 'Die Handwerkskarte fehlt.',
        instance: 'submission',
      },
    ];
    expect(await sim.subscriber.reject(state.submissionId, problems)).toBe(204);
    const polled = await pollOnce(adapter, state);
    expect(polled.receipt).toMatchObject({ kind: 'rejected', problems });
    await adapter.close?.();
  });

  it('ignores and reports a SET with a bad signature, and still takes the genuine accept after it', async () => {
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const state = ((await adapter.deliver(outbound, undefined, signal())) as { state: { submissionId: string } }).state;
    const submission = sim.submissions.get(state.submissionId)!;
    // Signed with another key under the subscriber's kid: a forged accept.
    const forged = await sim.subscriber.sign(
      state.submissionId,
      events.accept,
      { authenticationTags: { metadata: 'AAAAAAAAAAAAAAAAAAAAAA', data: 'AAAAAAAAAAAAAAAAAAAAAA', attachments: {} } },
      { ...fixtureJwk('gateway-signing-1'), kid: 'test-recipient-sig-1' },
    );
    sim.appendRawEvent(submission.caseId, forged);
    sim.appendRawEvent(submission.caseId, 'not-a-set');
    const polled = await pollOnce(adapter, state);
    expect(polled.receipt).toBeUndefined();
    expect(polled.invalid).toEqual([{ reason: 'signature', issuer: sim.destinationId }, { reason: 'malformed' }]);
    expect(JSON.stringify(polled)).not.toMatch(/"n":|"d":/);
    expect(await sim.subscriber.accept(state.submissionId)).toBe(204);
    expect((await pollOnce(adapter, polled.state)).receipt).toMatchObject({ kind: 'accepted' });
    await adapter.close?.();
  });

  it('resumes a submission after a crash between steps instead of creating a second one', async () => {
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    let persisted: unknown;
    // The process "dies" right after the submission was created and its ids were saved.
    const crashed = await adapter.deliver(outbound, undefined, signal(), (s) => {
      persisted = s;
      return Promise.reject(new Error('process killed'));
    });
    expect(crashed.kind).toBe('retry');
    const before = sim.submissions.size;
    const from = sim.requests.length;
    const resumed = await adapter.deliver(outbound, persisted, signal());
    expect(resumed).toMatchObject({
      kind: 'delivered',
      state: { submissionId: (persisted as { submissionId: string }).submissionId },
    });
    expect(sim.submissions.size).toBe(before);
    expect(requestsSince(from)).toEqual([
      'PUT /submission-api/v2/submissions/:id/attachments/:id 204',
      'PUT /submission-api/v2/submissions/:id 200',
    ]);
    // Delivered already: a further attempt sends nothing.
    const again = await adapter.deliver(outbound, (resumed as { state: unknown }).state, signal());
    expect(again.kind).toBe('delivered');
    expect(sim.requests.length).toBe(from + 2);
    await adapter.close?.();
  });

  it('retries when the token endpoint refuses the credentials, creating nothing', async () => {
    process.env[secretEnv] = 'a-wrong-secret';
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const before = sim.submissions.size;
    const outcome = await adapter.deliver(outbound, undefined, signal());
    expect(outcome).toEqual({ kind: 'retry', reason: 'fitconnect-token-refused', httpStatus: 401 });
    expect(sim.submissions.size).toBe(before);
    await adapter.close?.();
  });

  it('retries while the destination is inactive', async () => {
    sim.setDestinationStatus('inactive');
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    const before = sim.submissions.size;
    expect(await adapter.deliver(outbound, undefined, signal())).toMatchObject({
      kind: 'retry',
      reason: 'fitconnect-destination-inactive',
    });
    expect(sim.submissions.size).toBe(before);
    await adapter.close?.();
  });

  it('hands 429 with Retry-After on to the worker, and 422 from the service as a final failure', async () => {
    const { outbound, destination } = await message();
    const adapter = createAdapter(withKeys(destination), context);
    sim.failNext({ method: 'POST', path: /\/submissions$/, status: 429, retryAfter: '7' });
    expect(await adapter.deliver(outbound, undefined, signal())).toEqual({
      kind: 'retry',
      reason: 'fitconnect-create-http-429',
      httpStatus: 429,
      afterMs: 7000,
    });
    sim.failNext({ method: 'PUT', path: /\/attachments\//, status: 422 });
    const failed = await adapter.deliver(outbound, undefined, signal());
    expect(failed).toEqual({ kind: 'failed', reason: 'fitconnect-attachment-http-422', httpStatus: 422 });
    await adapter.close?.();
  });

  it('gets a new token after a 401 and speaks the v1 paths with serviceType where configured', async () => {
    const destination = fitConnectDestination(sim, 'fit-v1', { apiVersion: 'v1' });
    const { outbound } = await message(destination);
    const adapter = createAdapter(withKeys(destination), context);
    sim.failNext({ method: 'GET', path: /\/v1\/destinations\//, status: 401 });
    const from = sim.requests.length;
    expect((await adapter.deliver(outbound, undefined, signal())).kind).toBe('retry');
    expect(await adapter.deliver(outbound, undefined, signal())).toMatchObject({ kind: 'delivered' });
    expect(requestsSince(from).filter((r) => r.startsWith('POST /token'))).toHaveLength(2);
    expect(requestsSince(from)).toContain('POST /submission-api/v1/submissions 201');
    await adapter.close?.();
  });
});
