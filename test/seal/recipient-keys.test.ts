import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AmtsboteError } from '../../src/lib/errors.js';
import { checkDestinationKeys } from '../../src/seal/recipient-keys/check-destination-keys.js';
import { checkEncryptionJwk, checkReceiptJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { createKeyResolver } from '../../src/seal/recipient-keys/key-resolver.js';
import { loadTrustAnchors } from '../../src/seal/recipient-keys/load-trust-anchors.js';
import { defaultRecipientKeyPolicy, type RecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { projectRoot } from '../helpers/paths.js';
import { createTestPki, x5cOf, type TestPki } from './certificates.js';
import { demoJwk, fixtureJwk, publicJwk, type Jwk } from './fixtures.js';

const policy = defaultRecipientKeyPolicy;
const recipientEnc = () => publicJwk(fixtureJwk('recipient-encryption'), { key_ops: ['wrapKey'] });
const recipientSig = () => publicJwk(fixtureJwk('recipient-receipt-signing'), { key_ops: ['verify'] });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AmtsboteError);
    expect((error as AmtsboteError).code).toBe('invalid-recipient-key');
    return String((error as AmtsboteError).extensions.reason);
  }
  throw new Error('the key was accepted');
}

describe('recipient key policy', () => {
  it('accepts every key of the demo routing (RSA-4096, RSA-OAEP-256 / wrapKey, PS512 / verify)', async () => {
    const routing = parse(readFileSync(join(projectRoot, 'config/routing.yaml'), 'utf8')) as {
      destinations: { id: string; encryptionKey: { jwk: Jwk }; receiptKey: { jwk: Jwk } }[];
    };
    expect(await checkDestinationKeys(routing.destinations, createKeyResolver())).toEqual([]);
  });

  it('accepts a key with key_ops ["wrapKey"] and seals to it (the WebCrypto usage trap)', async () => {
    const key = await checkEncryptionJwk(recipientEnc(), policy);
    expect(key).toMatchObject({ kid: 'test-recipient-enc-1', modulusBits: 4096 });
    expect(key.key.usages).toEqual(expect.arrayContaining(['encrypt', 'wrapKey']));
  });

  it('refuses a 2048-bit key', async () => {
    expect(await reason(checkEncryptionJwk(publicJwk(fixtureJwk('weak-2048')), policy))).toBe('modulus-too-small');
    const weakSig = publicJwk(fixtureJwk('weak-2048'), { alg: 'PS512', use: 'sig' });
    expect(await reason(checkReceiptJwk(weakSig, policy))).toBe('modulus-too-small');
  });

  it('follows a configured minimum', async () => {
    await expect(
      checkEncryptionJwk(publicJwk(fixtureJwk('weak-2048')), { ...policy, minModulusBits: 2048 }),
    ).resolves.toBeDefined();
  });

  it('refuses a wrong alg, use or key_ops', async () => {
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), alg: 'RSA-OAEP' }, policy))).toBe('wrong-alg');
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), alg: 'PS512' }, policy))).toBe('wrong-alg');
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), use: 'sig' }, policy))).toBe('wrong-use');
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), key_ops: ['encrypt'] }, policy))).toBe(
      'missing-key-op',
    );
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), key_ops: ['verify'] }, policy))).toBe('missing-key-op');
    expect(await reason(checkReceiptJwk({ ...recipientSig(), alg: 'RSA-OAEP-256' }, policy))).toBe('wrong-alg');
    expect(await reason(checkReceiptJwk({ ...recipientSig(), key_ops: ['wrapKey'] }, policy))).toBe('missing-key-op');
    // Without alg/use/key_ops a key is taken for what it is configured as.
    const { alg: _a, use: _u, key_ops: _k, ...bare } = recipientEnc();
    await expect(checkEncryptionJwk(bare, policy)).resolves.toBeDefined();
  });

  it('refuses a private key, a non-RSA key and a key without kid', async () => {
    expect(await reason(checkEncryptionJwk({ ...fixtureJwk('recipient-encryption') }, policy))).toBe('private-members');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    expect(await reason(checkEncryptionJwk({ ...ec, kid: 'ec-1' }, policy))).toBe('not-rsa');
    const { kid: _kid, ...noKid } = recipientEnc();
    expect(await reason(checkEncryptionJwk(noKid, policy))).toBe('no-kid');
  });

  it('gives an error that says what is wrong', async () => {
    await expect(checkEncryptionJwk(publicJwk(fixtureJwk('weak-2048')), policy)).rejects.toThrow(
      'the encryption key "test-weak-2048" has a 2048-bit modulus, at least 4096 bits are required',
    );
  });
});

describe('x5c certificate chains', () => {
  let pki: TestPki;
  let anchored: RecipientKeyPolicy;

  beforeAll(async () => {
    pki = await createTestPki();
    anchored = { ...policy, trustAnchors: [pki.root] };
  });

  it('accepts a chain to a configured anchor', async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(await pki.leaf(jwk), pki.intermediate);
    await expect(checkEncryptionJwk({ ...jwk, x5c }, anchored)).resolves.toMatchObject({ kid: 'test-recipient-enc-1' });
    // The anchor may also travel in x5c (a complete chain up to the root, as FIT-Connect asks).
    await expect(checkEncryptionJwk({ ...jwk, x5c: [...x5c, ...x5cOf(pki.root)] }, anchored)).resolves.toBeDefined();
  });

  it("holds a key to the destination's chain rule: required (as for FIT-Connect) or off", async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(await pki.leaf(jwk), pki.intermediate);
    // required: a chain to a configured anchor, and with none configured nothing can be trusted
    await expect(checkEncryptionJwk({ ...jwk, x5c }, anchored, 'required')).resolves.toBeDefined();
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, policy, 'required'))).toBe('x5c-untrusted');
    expect(await reason(checkEncryptionJwk(jwk, policy, 'required'))).toBe('x5c-missing');
    const foreign = x5cOf(await pki.leaf(jwk, { issuer: 'foreign-root' }), pki.foreignRoot);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c: foreign }, anchored, 'required'))).toBe('x5c-untrusted');
    // off: taken without a chain even where anchors are configured; an x5c present must still carry the key
    await expect(checkEncryptionJwk(jwk, anchored, 'off')).resolves.toBeDefined();
    await expect(checkEncryptionJwk({ ...jwk, x5c: foreign }, anchored, 'off')).resolves.toBeDefined();
    const otherKeys = x5cOf(await pki.leaf(recipientSig()), pki.intermediate);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c: otherKeys }, anchored, 'off'))).toBe('x5c-key-mismatch');
  });

  it('accepts a receipt key with a chain and digitalSignature usage', async () => {
    const jwk = recipientSig();
    const x5c = x5cOf(await pki.leaf(jwk, { keyUsage: 'digitalSignature' }), pki.intermediate);
    await expect(checkReceiptJwk({ ...jwk, x5c }, anchored)).resolves.toBeDefined();
  });

  it('refuses a chain to a foreign root', async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(await pki.leaf(jwk, { issuer: 'foreign-root' }), pki.foreignRoot);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, anchored))).toBe('x5c-untrusted');
  });

  it('refuses a chain that lacks its intermediate', async () => {
    const jwk = recipientEnc();
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c: x5cOf(await pki.leaf(jwk)) }, anchored))).toBe(
      'x5c-untrusted',
    );
  });

  it('refuses a key without x5c when anchors are configured', async () => {
    expect(await reason(checkEncryptionJwk(recipientEnc(), anchored))).toBe('x5c-missing');
  });

  it('refuses a certificate for another key', async () => {
    const jwk = recipientEnc();
    const other = publicJwk(demoJwk('dresden-gewerbeamt.encryption'));
    const x5c = x5cOf(await pki.leaf(other), pki.intermediate);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, anchored))).toBe('x5c-key-mismatch');
    // Without anchors the certificate must still carry the key.
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, policy))).toBe('x5c-key-mismatch');
  });

  it('refuses an expired certificate', async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(
      await pki.leaf(jwk, { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }),
      pki.intermediate,
    );
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, anchored))).toBe('x5c-not-valid-now');
  });

  it('refuses an issuer that is not a CA', async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(await pki.leaf(jwk, { issuer: 'non-ca' }), pki.nonCaIntermediate);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, anchored))).toBe('x5c-not-a-ca');
  });

  it('refuses a leaf whose key usage does not fit', async () => {
    const jwk = recipientEnc();
    const x5c = x5cOf(await pki.leaf(jwk, { keyUsage: 'digitalSignature' }), pki.intermediate);
    expect(await reason(checkEncryptionJwk({ ...jwk, x5c }, anchored))).toBe('x5c-invalid');
  });

  it('reads trust anchors from PEM files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-anchors-'));
    try {
      writeFileSync(join(dir, 'anchors.pem'), `${pki.root.toString('pem')}\n${pki.foreignRoot.toString('pem')}\n`);
      const anchors = await loadTrustAnchors(['anchors.pem'], dir);
      expect(anchors.map((a) => a.subject)).toEqual(['CN=Amtsbote Test Root CA', 'CN=Foreign Root CA']);
      const jwk = recipientEnc();
      const x5c = x5cOf(await pki.leaf(jwk), pki.intermediate);
      await expect(checkEncryptionJwk({ ...jwk, x5c }, { ...policy, trustAnchors: anchors })).resolves.toBeDefined();
      await expect(loadTrustAnchors(['missing.pem'], dir)).rejects.toMatchObject({ code: 'invalid-config' });
      expect(await loadTrustAnchors([], dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses garbage in x5c', async () => {
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), x5c: ['bm90IGEgY2VydGlmaWNhdGU='] }, anchored))).toBe(
      'x5c-invalid',
    );
    expect(await reason(checkEncryptionJwk({ ...recipientEnc(), x5c: [] }, anchored))).toBe('x5c-invalid');
  });
});
