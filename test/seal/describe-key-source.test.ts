import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKeySource } from '../../src/seal/recipient-keys/describe-key-source.js';
import { createKeyResolver } from '../../src/seal/recipient-keys/key-resolver.js';
import { createTestPki, x5cOf } from './certificates.js';
import { fixtureJwk, publicJwk } from './fixtures.js';

const enc = () => publicJwk(fixtureJwk('recipient-encryption'), { key_ops: ['wrapKey'] });
const thumbprintOf = (jwk: Record<string, unknown>) =>
  calculateJwkThumbprint({ kty: 'RSA', n: jwk.n as string, e: jwk.e as string });

let jwksUrl = '';
const server = createServer((req, res) => {
  if (req.url === '/jwks.json')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [enc()] }));
  else res.writeHead(404).end();
});
beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => {
  server.close();
});

describe('describeKeySource', () => {
  it('gives kid and RFC 7638 fingerprint of an inline key, without expiry when it has no certificate', async () => {
    const jwk = enc();
    await expect(describeKeySource({ jwk }, 'encryption', createKeyResolver())).resolves.toEqual({
      source: 'jwk',
      kid: jwk.kid,
      fingerprint: await thumbprintOf(jwk),
      notAfter: undefined,
    });
  });

  it("takes the expiry from the key's x5c certificate", async () => {
    const pki = await createTestPki();
    const notAfter = new Date('2031-03-01T12:00:00.000Z');
    const jwk = { ...enc(), x5c: x5cOf(await pki.leaf(enc(), { notAfter }), pki.intermediate) };
    expect((await describeKeySource({ jwk }, 'encryption', createKeyResolver())).notAfter).toBe(notAfter.toISOString());
  });

  it('describes a JWKS key through the resolver, and says why one cannot be used', async () => {
    const resolver = createKeyResolver();
    const described = await describeKeySource({ jwksUrl }, 'encryption', resolver);
    expect(described).toMatchObject({
      source: 'jwks',
      jwksUrl,
      kid: enc().kid,
      fingerprint: await thumbprintOf(enc()),
    });
    const missing = await describeKeySource(
      { jwksUrl: jwksUrl.replace('jwks.json', 'gone.json') },
      'encryption',
      resolver,
    );
    expect(missing.fingerprint).toBeUndefined();
    expect(missing.problem).toMatch(/404|gone\.json|fetch/i);
  });
});
