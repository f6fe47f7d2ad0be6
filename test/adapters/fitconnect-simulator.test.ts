import { createPublicKey, randomUUID } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { fixtureJwk, publicJwk } from '../seal/fixtures.js';

/** The simulator must hold a sender to FIT-Connect's documented rules, or the adapter's tests prove little. */
let sim: FitConnectSimulator;
let token: string;
beforeAll(async () => {
  sim = await startFitConnectSimulator();
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await sim.close();
});

const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(`${sim.submissionApiUrl}/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
};
const jwe = (header: Record<string, unknown>, keyName = 'recipient-encryption') =>
  new CompactEncrypt(Buffer.from('x'))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', ...header })
    .encrypt(createPublicKey({ key: publicJwk(fixtureJwk(keyName)), format: 'jwk' }));

describe('FIT-Connect simulator (test fixture) enforces the documented rules', () => {
  it('refuses HTTP Basic at the token endpoint and calls without a token', async () => {
    const basic = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(basic.status).toBe(401);
    expect((await fetch(`${sim.submissionApiUrl}/v2/destinations/${sim.destinationId}`)).status).toBe(401);
  });

  it('refuses JWEs without cty, with zip, to an unknown kid or wrapped with a short key; submit needs every announced attachment', async () => {
    const attachmentId = randomUUID();
    const created = await call('POST', '/submissions', {
      destinationId: sim.destinationId,
      announcedAttachments: [attachmentId],
      publicService: { name: 'Gewerbeanmeldung', identifier: 'urn:de:fim:leika:leistung:99050012104000' },
    });
    expect(created.status).toBe(201);
    const { submissionId } = JSON.parse(created.body) as { submissionId: string };
    const put = async (compact: string) =>
      call('PUT', `/submissions/${submissionId}/attachments/${attachmentId}`, compact, 'application/jose');
    expect((await put(await jwe({ kid: 'test-recipient-enc-1' }))).body).toContain('cty is missing');
    expect((await put(await jwe({ kid: 'test-recipient-enc-1', cty: 'application/pdf', zip: 'DEF' }))).body).toContain(
      'zip is not allowed',
    );
    expect((await put(await jwe({ kid: 'someone-else', cty: 'application/pdf' }))).body).toContain(
      'kid is not an encryption key',
    );
    expect((await put(await jwe({ kid: 'test-recipient-enc-1', cty: 'application/pdf' }, 'weak-2048'))).body).toContain(
      '4096-bit',
    );
    const good = await jwe({ kid: 'test-recipient-enc-1', cty: 'application/json' });
    expect(
      (await call('PUT', `/submissions/${submissionId}`, { encryptedMetadata: good, encryptedData: good })).body,
    ).toContain('announced attachments not uploaded');
    expect((await put(await jwe({ kid: 'test-recipient-enc-1', cty: 'application/pdf' }))).status).toBe(204);
    expect(
      (
        await call('PUT', `/submissions/${submissionId}`, {
          encryptedMetadata: await jwe({ kid: 'test-recipient-enc-1', cty: 'application/xml' }),
          encryptedData: good,
        })
      ).body,
    ).toContain('cty must be application/json');
    expect(
      (await call('PUT', `/submissions/${submissionId}`, { encryptedMetadata: good, encryptedData: good })).status,
    ).toBe(200);
    expect(
      (await call('PUT', `/submissions/${submissionId}`, { encryptedMetadata: good, encryptedData: good })).status,
    ).toBe(409);
  });

  it('refuses attachment ids that are no UUIDv4 and a service without a LeiKa URN', async () => {
    expect(
      (
        await call('POST', '/submissions', {
          destinationId: sim.destinationId,
          announcedAttachments: ['att-1'],
          publicService: { name: 'x', identifier: 'urn:de:fim:leika:leistung:1' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/submissions', {
          destinationId: sim.destinationId,
          announcedAttachments: [],
          publicService: { name: 'x', identifier: 'gewerbe' },
        })
      ).status,
    ).toBe(400);
  });
});
