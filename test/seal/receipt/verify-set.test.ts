import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyReceipt, verifySet } from '../../../src/seal/receipt/verify-set.js';
import { fixtureJwk } from '../fixtures.js';

const jwk = fixtureJwk('recipient-receipt-signing');
const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
const publicKey = createPublicKey(privateKey);
const now = new Date('2026-11-25T10:00:00Z');
const window = { now, maxAgeSeconds: 7 * 86_400, futureSkewSeconds: 300 };
const schema = (v: string) => `https://schema.fitko.de/fit-connect/set-payload/${v}/set-payload.schema.json`;
const tags = { metadata: 'A'.repeat(22), data: 'B'.repeat(22), attachments: {} };

async function set(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const body = Object.fromEntries(
    Object.entries<unknown>({
      $schema: schema('1.2.2'),
      jti: randomUUID(),
      iss: 'dresden-gewerbeamt',
      iat: Math.floor(now.getTime() / 1000),
      sub: `submission:${randomUUID()}`,
      txn: `case:${randomUUID()}`,
      events: { 'https://schema.fitko.de/fit-connect/events/accept-submission': { authenticationTags: tags } },
      ...claims,
    }).filter(([, v]) => v !== undefined),
  );
  return new CompactSign(Buffer.from(JSON.stringify(body)))
    .setProtectedHeader({ typ: 'secevent+jwt', alg: 'PS512', kid: String(jwk.kid), ...header })
    .sign(privateKey);
}
const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error as { extensions?: { reason?: string } }).extensions?.reason,
  );

describe('verifySet: tolerant where FIT-Connect is', () => {
  it('takes every set-payload 1.x.y and claims it does not know (toe, aud, private ones)', async () => {
    for (const version of ['1.0.0', '1.0.1', '1.1.0', '1.2.2', '1.10.3']) {
      const verified = await verifySet(await set({ $schema: schema(version) }), publicKey, window);
      expect(verified.claims.$schema).toBe(schema(version));
    }
    const extra = await verifyReceipt(
      await set({ toe: 1_764_000_000, aud: ['a', 'b'], 'https://example.org/x': { y: 1 } }),
      publicKey,
      window,
    );
    expect(extra).toMatchObject({ kind: 'accepted', destinationId: 'dresden-gewerbeamt', authenticationTags: tags });
  });

  it('takes typ in each spelling RFC 7515 allows', async () => {
    for (const typ of ['secevent+jwt', 'application/secevent+jwt', 'Secevent+JWT'])
      expect(await reasonOf(verifySet(await set({}, { typ }), publicKey, window)), typ).toBe('accepted');
  });

  it('lets $schema be missing only where the caller says so (the delivery service own entries)', async () => {
    const without = await set({ $schema: undefined });
    expect(await reasonOf(verifySet(without, publicKey, window))).toBe('claims');
    expect(await reasonOf(verifyReceipt(without, publicKey, window))).toBe('claims');
    expect(await reasonOf(verifySet(without, publicKey, { ...window, schemaOptional: true }))).toBe('accepted');
  });
});

describe('verifySet: strict where it matters', () => {
  it.each([
    ['set-payload 2.0.0', { $schema: schema('2.0.0') }, {}, 'claims'],
    [
      'a $schema elsewhere',
      { $schema: 'https://example.org/fit-connect/set-payload/1.2.2/set-payload.schema.json' },
      {},
      'claims',
    ],
    ['a $schema that is no string', { $schema: 1 }, {}, 'claims'],
    ['two events', { events: { a: {}, b: {} } }, {}, 'claims'],
    ['no events', { events: {} }, {}, 'claims'],
    ['no jti', { jti: undefined }, {}, 'claims'],
    ['sub not submission:', { sub: 'reply:x' }, {}, 'claims'],
    ['txn not case:', { txn: 'x' }, {}, 'claims'],
    ['iat too old', { iat: Math.floor(now.getTime() / 1000) - 8 * 86_400 }, {}, 'iat'],
    ['iat in the future', { iat: Math.floor(now.getTime() / 1000) + 600 }, {}, 'iat'],
    ['typ JWT', {}, { typ: 'JWT' }, 'header'],
    ['no kid', {}, { kid: undefined }, 'header'],
  ])('refuses %s', async (_name, claims, header, reason) => {
    const compact = await set(claims, header);
    expect(await reasonOf(verifySet(compact, publicKey, { ...window, schemaOptional: true }))).toBe(reason);
  });

  it('refuses a signature by another key under the same kid, and a changed payload', async () => {
    const other = createPublicKey(createPrivateKey({ key: fixtureJwk('gateway-signing-1'), format: 'jwk' }));
    expect(await reasonOf(verifySet(await set(), other, window))).toBe('signature');
    const [h, , s] = (await set()).split('.');
    const changed = Buffer.from(JSON.stringify({ iss: 'x', toe: 1 })).toString('base64url');
    expect(await reasonOf(verifySet(`${h}.${changed}.${s}`, publicKey, window))).toBe('signature');
  });
});
