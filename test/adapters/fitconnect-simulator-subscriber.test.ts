import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { compactDecrypt, CompactSign, compactVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { events, setPayloadSchema, tagOf } from '../fixtures/fitconnect-simulator/rules.js';
import { fixtureJwk, type Jwk } from '../seal/fixtures.js';

/**
 * The simulator's subscriber side (issue 23 item 7): Amtsbote's pick-up tests prove little unless it lists,
 * hands out and takes SETs as FIT-Connect does (PROTOCOL.md §1.2, §3), and refuses what FIT-Connect refuses.
 */
let sim: FitConnectSimulator;
let destinationId: string;
let subscriber: { clientId: string; clientSecret: string };
let senderOnly: { clientId: string; clientSecret: string };
const pdf = Buffer.from('%PDF-1.4 Handwerkskarte');

const tokenOf = async (client: { clientId: string; clientSecret: string }) => {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
};
let subscriberToken: string;
let senderToken: string;
const call = async (token: string, method: string, path: string, body?: string, version = 'v2') => {
  const res = await fetch(`${sim.submissionApiUrl}/${version}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/jose' }),
    },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const json = (r: { text: string }) => JSON.parse(r.text) as Record<string, unknown>;

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  subscriber = sim.addClient();
  destinationId = sim.addDestination({ subscribers: [subscriber.clientId] }).destinationId;
  senderOnly = sim.addClient();
  subscriberToken = await tokenOf(subscriber);
  senderToken = await tokenOf(senderOnly);
});
afterAll(async () => {
  await sim.close();
});

/** Signs claims with a header as given (for SETs FIT-Connect refuses). */
const signRaw = (header: Record<string, unknown>, claims: Record<string, unknown>, jwk: Jwk) =>
  new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader(header as { alg: string })
    .sign(createPrivateKey({ key: jwk, format: 'jwk' }));

describe('FIT-Connect simulator: the subscriber side', () => {
  it('lists only submitted submissions of connected destinations; hands out submission, attachments, event log', async () => {
    const sent = await sim.sendAsOnlineService(destinationId, {
      attachments: [{ content: pdf, mediaType: 'application/pdf', filename: 'karte.pdf' }],
    });
    // one to the first destination, to which this subscriber is not connected
    const elsewhere = await sim.sendAsOnlineService(sim.destinationId);

    const listed = json(await call(subscriberToken, 'GET', `/submissions?destinationId=${destinationId}`));
    expect(listed.submissions).toEqual([{ destinationId, submissionId: sent.submissionId, caseId: sent.caseId }]);
    expect(listed).toMatchObject({ count: 1, offset: 0, totalCount: 1 });
    const all = json(await call(subscriberToken, 'GET', '/submissions?limit=1&offset=0'));
    expect((all.submissions as { submissionId: string }[]).map((s) => s.submissionId)).toEqual([sent.submissionId]);
    expect((await call(subscriberToken, 'GET', `/submissions?destinationId=${sim.destinationId}`)).status).toBe(403);
    expect((await call(subscriberToken, 'GET', `/submissions/${elsewhere.submissionId}`)).status).toBe(403);

    const fetched = json(await call(subscriberToken, 'GET', `/submissions/${sent.submissionId}`));
    expect(fetched).toMatchObject({
      destinationId,
      submissionId: sent.submissionId,
      caseId: sent.caseId,
      publicService: { name: 'Gewerbeanmeldung', identifier: 'urn:de:fim:leika:leistung:99050012104000' },
      attachments: sent.attachmentIds,
    });
    const v1 = json(await call(subscriberToken, 'GET', `/submissions/${sent.submissionId}`, undefined, 'v1'));
    expect(v1.serviceType).toEqual(fetched.publicService);
    const attachment = await call(
      subscriberToken,
      'GET',
      `/submissions/${sent.submissionId}/attachments/${sent.attachmentIds[0]}`,
    );
    expect(attachment.status).toBe(200);
    expect(attachment.type).toContain('application/jose');
    const key = createPrivateKey({ key: fixtureJwk('recipient-encryption'), format: 'jwk' });
    expect(Buffer.from((await compactDecrypt(attachment.text, key)).plaintext)).toEqual(pdf);
    expect(
      (await call(subscriberToken, 'GET', `/submissions/${sent.submissionId}/attachments/${randomUUID()}`)).status,
    ).toBe(404);

    // the event log: the delivery service's create and submit SETs, the submit naming the tags of what we fetched
    const log = json(await call(subscriberToken, 'GET', `/cases/${sent.caseId}/events`)).eventLog as string[];
    expect(log).toHaveLength(2);
    const jwks = (await (await fetch(`${sim.submissionApiUrl}/.well-known/jwks.json`)).json()) as { keys: Jwk[] };
    const zdKey = createPublicKey({ key: jwks.keys[0]!, format: 'jwk' });
    const submit = JSON.parse(Buffer.from((await compactVerify(log[1]!, zdKey)).payload).toString()) as {
      events: Record<string, { authenticationTags: unknown }>;
    };
    expect(submit.events[events.submit]?.authenticationTags).toEqual({
      metadata: tagOf(String(fetched.encryptedMetadata)),
      data: tagOf(String(fetched.encryptedData)),
      attachments: { [sent.attachmentIds[0]!]: tagOf(attachment.text) },
    });
    expect(sim.fetchCounts(sent.submissionId)).toEqual({ submission: 2, attachments: 2, eventLog: 1 });
  });

  it('refuses a sender-only client with 403 on every subscriber call', async () => {
    const sent = await sim.sendAsOnlineService(destinationId);
    expect((await call(senderToken, 'GET', '/submissions')).status).toBe(403);
    expect((await call(senderToken, 'GET', `/submissions?destinationId=${destinationId}`)).status).toBe(403);
    expect((await call(senderToken, 'GET', `/submissions/${sent.submissionId}`)).status).toBe(403);
    expect((await call(senderToken, 'GET', `/cases/${sent.caseId}/events`)).status).toBe(403);
    const set = await sim.subscriber.sign(sent.submissionId, events.reject, { problems: [] });
    expect((await call(senderToken, 'POST', `/cases/${sent.caseId}/events`, set)).status).toBe(403);
    // connected later (the SSP's connect step), the same client may
    sim.connectClient(senderOnly.clientId, destinationId);
    expect((await call(senderToken, 'GET', `/submissions/${sent.submissionId}`)).status).toBe(200);
    sim.connectClient(senderOnly.clientId, destinationId, false);
    expect((await call(senderToken, 'GET', `/submissions/${sent.submissionId}`)).status).toBe(403);
    expect(sim.submissionState(sent.submissionId)).toBe('submitted');
  });

  it('refuses bad SETs as FIT-Connect does, and takes a good accept once: the submission leaves the list', async () => {
    const sent = await sim.sendAsOnlineService(destinationId, {
      attachments: [{ content: pdf, mediaType: 'application/pdf' }],
    });
    const submission = sim.submissions.get(sent.submissionId)!;
    const tags = {
      metadata: tagOf(submission.encryptedMetadata!),
      data: tagOf(submission.encryptedData!),
      attachments: { [sent.attachmentIds[0]!]: tagOf(submission.attachments.get(sent.attachmentIds[0]!)!) },
    };
    const signing = fixtureJwk('recipient-receipt-signing');
    const header = { typ: 'secevent+jwt', alg: 'PS512', kid: String(signing.kid) };
    const claims = (overrides: Record<string, unknown> = {}) => ({
      $schema: setPayloadSchema,
      jti: randomUUID(),
      iss: destinationId,
      iat: Math.floor(Date.now() / 1000),
      sub: `submission:${sent.submissionId}`,
      txn: `case:${sent.caseId}`,
      events: { [events.accept]: { authenticationTags: tags } },
      ...overrides,
    });
    const withoutJti = claims();
    delete (withoutJti as Partial<typeof withoutJti>).jti;
    const problem = { type: `${events.reject}x`, title: 't', detail: 'd', instance: 'metadata' };
    const bad: [string, string, string][] = [
      [
        'wrong signature',
        await signRaw(header, claims(), fixtureJwk('gateway-signing-1')),
        'signature does not verify',
      ],
      ['wrong typ', await signRaw({ ...header, typ: 'JWT' }, claims(), signing), 'header must be'],
      ['wrong alg', await signRaw({ ...header, alg: 'RS512' }, claims(), signing), 'header must be'],
      ['unknown kid', await signRaw({ ...header, kid: 'someone' }, claims(), signing), 'unknown signature key'],
      ['missing jti', await signRaw(header, withoutJti, signing), 'claim jti is missing'],
      ['jti no UUID', await signRaw(header, claims({ jti: 'x' }), signing), 'jti must be a UUID'],
      [
        'set-payload 2.0.0',
        await signRaw(header, claims({ $schema: setPayloadSchema.replace('1.2.2', '2.0.0') }), signing),
        'Payload Schema not supported',
      ],
      [
        'set-payload 1.0.0 (refused live)',
        await signRaw(header, claims({ $schema: setPayloadSchema.replace('1.2.2', '1.0.0') }), signing),
        'Payload Schema not supported',
      ],
      ['iss not the destination', await signRaw(header, claims({ iss: sim.destinationId }), signing), 'iss, sub'],
      ['another submission', await signRaw(header, claims({ sub: `submission:${randomUUID()}` }), signing), 'iss'],
      ['another case', await signRaw(header, claims({ txn: `case:${randomUUID()}` }), signing), 'iss, sub or txn'],
      [
        'two events',
        await signRaw(
          header,
          claims({
            events: { [events.accept]: { authenticationTags: tags }, [events.reject]: { problems: [problem] } },
          }),
          signing,
        ),
        'exactly one event',
      ],
      [
        'another event',
        await signRaw(header, claims({ events: { [events.submit]: { authenticationTags: tags } } }), signing),
        'only accept-submission and reject-submission',
      ],
      [
        'accept with other tags',
        await signRaw(
          header,
          claims({ events: { [events.accept]: { authenticationTags: { ...tags, data: tags.metadata } } } }),
          signing,
        ),
        'authenticationTags differ',
      ],
      [
        'accept without an attachment tag',
        await signRaw(
          header,
          claims({ events: { [events.accept]: { authenticationTags: { ...tags, attachments: {} } } } }),
          signing,
        ),
        'authenticationTags differ',
      ],
      [
        'reject without problems',
        await signRaw(header, claims({ events: { [events.reject]: { problems: [] } } }), signing),
        'non-empty problems',
      ],
      [
        'reject with a problem without type',
        await signRaw(
          header,
          claims({ events: { [events.reject]: { problems: [{ ...problem, type: undefined }] } } }),
          signing,
        ),
        'every problem needs a type',
      ],
      ['not a JWS', 'no.set', 'not a compact JWS'],
    ];
    for (const [label, set, reason] of bad) {
      const answer = await call(subscriberToken, 'POST', `/cases/${sent.caseId}/events`, set);
      expect(answer.status, label).toBe(422);
      expect(json(answer).detail, label).toContain(reason);
    }
    expect(sim.submissionState(sent.submissionId)).toBe('submitted');
    expect(sim.eventLog(sent.caseId)).toHaveLength(2);

    const good = await signRaw(header, claims(), signing);
    expect((await call(subscriberToken, 'POST', `/cases/${sent.caseId}/events`, good)).status).toBe(204);
    expect(sim.submissionState(sent.submissionId)).toBe('accepted');
    const again = await signRaw(header, claims(), signing);
    expect((await call(subscriberToken, 'POST', `/cases/${sent.caseId}/events`, again)).status).toBe(409);
    expect(sim.eventLog(sent.caseId).at(-1)).toBe(good);
    expect(sim.eventLogClaims(sent.caseId).map((e) => Object.keys(e.claims.events as object)[0])).toEqual([
      events.create,
      events.submit,
      events.accept,
    ]);
    const listed = json(await call(subscriberToken, 'GET', `/submissions?destinationId=${destinationId}`));
    expect((listed.submissions as { submissionId: string }[]).map((s) => s.submissionId)).not.toContain(
      sent.submissionId,
    );
  });

  it('takes a reject (set-payload 1.1.0 too) and then nothing more; the hooks accept for any destination', async () => {
    const rejected = await sim.sendAsOnlineService(destinationId);
    const problems = [
      {
        type: 'https://schema.fitko.de/fit-connect/events/problems/an-example',
        title: 'Beispiel',
        detail: 'd',
        instance: 'data',
      },
    ];
    const set = await sim.subscriber.sign(rejected.submissionId, events.reject, { problems }, undefined, {
      schema: setPayloadSchema.replace('1.2.2', '1.1.0'),
    });
    expect((await call(subscriberToken, 'POST', `/cases/${rejected.caseId}/events`, set)).status).toBe(204);
    expect(sim.submissionState(rejected.submissionId)).toBe('rejected');
    expect(await sim.subscriber.accept(rejected.submissionId)).toBe(409);

    const accepted = await sim.sendAsOnlineService(destinationId, {
      attachments: [{ content: pdf, mediaType: 'application/pdf' }],
    });
    expect(await sim.subscriber.accept(accepted.submissionId)).toBe(204);
    expect(sim.submissionState(accepted.submissionId)).toBe('accepted');
  });

  it('answers subscriber calls with 5xx or 429 + Retry-After, or slowly, when a test says so', async () => {
    const sent = await sim.sendAsOnlineService(destinationId);
    sim.failNext({ method: 'GET', path: /\/submissions$/, status: 429, retryAfter: '3' });
    sim.failNext({ method: 'GET', path: new RegExp(`/submissions/${sent.submissionId}$`), status: 503 });
    const limited = await fetch(`${sim.submissionApiUrl}/v2/submissions`, {
      headers: { authorization: `Bearer ${subscriberToken}` },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await call(subscriberToken, 'GET', `/submissions/${sent.submissionId}`)).status).toBe(503);
    expect((await call(subscriberToken, 'GET', `/submissions/${sent.submissionId}`)).status).toBe(200);

    // slow: a caller that waits less than the delay gives up; the next call is answered as usual
    sim.slowNext({ method: 'GET', path: /\/cases\/[^/]+\/events$/, delayMs: 3000 });
    await expect(
      fetch(`${sim.submissionApiUrl}/v2/cases/${sent.caseId}/events`, {
        headers: { authorization: `Bearer ${subscriberToken}` },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect((await call(subscriberToken, 'GET', `/cases/${sent.caseId}/events`)).status).toBe(200);
  });
});
