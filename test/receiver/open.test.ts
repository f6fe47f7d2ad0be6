import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { CompactEncrypt, CompactSign, compactDecrypt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOpenSealedMessageError, type OpenFailureCode } from '../../src/receiver/errors.js';
import type { SealedContainer } from '../../src/receiver/format.js';
import { openSealedMessage } from '../../src/receiver/open-sealed-message.js';
import type { JsonWebKeySet } from '../../src/receiver/pinned-jwks.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import type { RecipientEncryptionKey } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import {
  demoJwk,
  FIXED_CLOCK,
  fixtureJwk,
  recipientKey,
  sampleInput,
  SIGNING_1,
  SIGNING_2,
  testGatewayKeys,
  type Jwk,
} from '../seal/fixtures.js';

const DRESDEN_KID = 'dresden-gewerbeamt-enc-2026';
let keys: GatewayKeys;
let recipient: RecipientEncryptionKey;
let dresdenPrivate: Jwk;
let dresdenKeyObject: KeyObject;
/** The receiver pinned key 1 only: key 2 is retired (no longer published). */
let pinned: JsonWebKeySet;
let a: SealedContainer;
let b: SealedContainer;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function open(
  container: unknown,
  options: { recipientKeys?: Jwk | Jwk[]; gatewayJwks?: JsonWebKeySet; expectedDestinationId?: string } = {},
) {
  return openSealedMessage(container, {
    recipientKeys: options.recipientKeys ?? dresdenPrivate,
    gatewayJwks: options.gatewayJwks ?? pinned,
    ...(options.expectedDestinationId ? { expectedDestinationId: options.expectedDestinationId } : {}),
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: OpenFailureCode; part: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isOpenSealedMessageError(error)) return { code: error.code, part: error.part, message: error.message };
    throw error;
  }
  throw new Error('the message was not refused');
}

/** Replaces one character of one segment with another base64url character. */
function flip(token: string, segment: number, position: number): string {
  const parts = token.split('.');
  const s = parts[segment]!;
  const i = Math.min(position, s.length - 1);
  const c = s[i]!;
  const replacement = B64URL[(B64URL.indexOf(c) + 1) % 64]!;
  parts[segment] = s.slice(0, i) + replacement + s.slice(i + 1);
  return parts.join('.');
}

/** What anyone holding the recipient's public key can do: decrypt is not needed to re-encrypt a changed JWS. */
async function withMetadataJws(
  container: SealedContainer,
  change: (jws: string) => string | Promise<string>,
): Promise<SealedContainer> {
  const { plaintext } = await compactDecrypt(container.encryptedMetadata, dresdenKeyObject);
  const jws = await change(Buffer.from(plaintext).toString('ascii'));
  return { ...container, encryptedMetadata: await encrypt(jws, 'JOSE') };
}

function encrypt(content: string | Uint8Array, cty: string, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactEncrypt(typeof content === 'string' ? Buffer.from(content) : content)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: DRESDEN_KID, cty, ...header })
    .encrypt(recipient.key);
}

function b64(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

beforeAll(async () => {
  keys = await testGatewayKeys();
  recipient = await recipientKey('dresden-gewerbeamt');
  dresdenPrivate = demoJwk('dresden-gewerbeamt.encryption');
  const { kty, n, e, d, p, q, dp, dq, qi } = dresdenPrivate as Record<string, string>;
  dresdenKeyObject = createPrivateKey({ key: { kty, n, e, d, p, q, dp, dq, qi }, format: 'jwk' });
  pinned = gatewayJwks(keys, [SIGNING_2]);
  const signing = signingKeyFor(keys, SIGNING_1);
  a = (await sealMessage(sampleInput(), { signing, recipient }, { clock: FIXED_CLOCK })).container;
  b = (
    await sealMessage(
      sampleInput({
        messageId: 'b0000000-0000-4000-8000-000000000002',
        submissionId: 'b0000000-0000-4000-8000-000000000001',
        data: { content: '<nachricht>B</nachricht>', mediaType: 'application/xml' },
        attachments: [
          {
            id: 'ausweis',
            mediaType: 'application/pdf',
            filename: 'Ausweis-B.pdf',
            content: Buffer.from('%PDF-1.7 B'),
          },
          { id: 'vollmacht', mediaType: 'image/png', filename: 'Vollmacht-B.png', content: Buffer.from('PNG B') },
        ],
      }),
      { signing, recipient },
      { clock: FIXED_CLOCK },
    )
  ).container;
});

describe('openSealedMessage', () => {
  it('opens an untouched message', async () => {
    const opened = await open(a, { expectedDestinationId: 'dresden-gewerbeamt' });
    expect(opened.metadata.messageId).toBe(a.messageId);
  });

  describe('a changed character in any segment of any JWE is refused', () => {
    const jwes: [string, (c: SealedContainer) => string, (c: SealedContainer, jwe: string) => SealedContainer][] = [
      ['metadata', (c) => c.encryptedMetadata, (c, jwe) => ({ ...c, encryptedMetadata: jwe })],
      ['data', (c) => c.encryptedData, (c, jwe) => ({ ...c, encryptedData: jwe })],
      [
        'attachment:ausweis',
        (c) => c.encryptedAttachments.ausweis!,
        (c, jwe) => ({ ...c, encryptedAttachments: { ...c.encryptedAttachments, ausweis: jwe } }),
      ],
      [
        'attachment:vollmacht',
        (c) => c.encryptedAttachments.vollmacht!,
        (c, jwe) => ({ ...c, encryptedAttachments: { ...c.encryptedAttachments, vollmacht: jwe } }),
      ],
    ];
    const segments = ['protected header', 'encrypted key', 'IV', 'ciphertext', 'tag'];
    for (const [part, get, set] of jwes) {
      segments.forEach((name, segment) => {
        it(`${part}: ${name}`, async () => {
          for (const position of [0, Math.floor(get(a).split('.')[segment]!.length / 2), Number.MAX_SAFE_INTEGER]) {
            const r = await refusal(open(set(a, flip(get(a), segment, position))));
            expect(r.part).toBe(part);
            if (segment === 0)
              expect(['malformed-part', 'unexpected-header', 'no-recipient-key', 'decryption-failed']).toContain(
                r.code,
              );
            else expect(['decryption-failed', 'malformed-part']).toContain(r.code);
          }
          // In the middle of the segment the decoded bytes change for sure: the cipher itself detects it.
          const middle = await refusal(
            open(set(a, flip(get(a), segment, Math.floor(get(a).split('.')[segment]!.length / 2)))),
          );
          if (segment > 0) expect(middle.code).toBe('decryption-failed');
        });
      });
    }

    it('at any position (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 4 }),
          fc.nat(),
          async (which, segment, position) => {
            const [part, get, set] = jwes[which]!;
            const r = await refusal(open(set(a, flip(get(a), segment, position % get(a).split('.')[segment]!.length))));
            expect(r.part).toBe(part);
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe('a changed character in any segment of the signed metadata (JWS) is refused', () => {
    for (const [segment, name] of ['header', 'payload', 'signature'].entries()) {
      it(name, async () => {
        for (const at of ['start', 'middle', 'end'] as const) {
          const tampered = await withMetadataJws(a, (jws) => {
            const len = jws.split('.')[segment]!.length;
            return flip(jws, segment, at === 'start' ? 0 : at === 'middle' ? Math.floor(len / 2) : len - 1);
          });
          const r = await refusal(open(tampered));
          expect(r.part).toBe('metadata');
          if (segment === 0)
            expect([
              'malformed-part',
              'algorithm-not-allowed',
              'unexpected-header',
              'unknown-signing-key',
              'signature-invalid',
            ]).toContain(r.code);
          else expect(['signature-invalid', 'malformed-part']).toContain(r.code);
        }
      });
    }
  });

  it('refuses swapped attachments (same media type: hash; different media types: cty)', async () => {
    const swapped = {
      ...a,
      encryptedAttachments: { ausweis: a.encryptedAttachments.vollmacht!, vollmacht: a.encryptedAttachments.ausweis! },
    };
    expect(await refusal(open(swapped))).toMatchObject({ code: 'content-type-mismatch', part: 'attachment:ausweis' });

    const signing = signingKeyFor(keys, SIGNING_1);
    const pdf = (id: string, text: string) => ({
      id,
      mediaType: 'application/pdf',
      filename: `${id}.pdf`,
      content: Buffer.from(text),
    });
    const { container } = await sealMessage(
      sampleInput({ attachments: [pdf('eins', 'erste'), pdf('zwei', 'zweite')] }),
      { signing, recipient },
    );
    const swappedPdfs = {
      ...container,
      encryptedAttachments: { eins: container.encryptedAttachments.zwei!, zwei: container.encryptedAttachments.eins! },
    };
    expect(await refusal(open(swappedPdfs))).toMatchObject({ code: 'hash-mismatch', part: 'attachment:eins' });
  });

  it('refuses a part moved from another message', async () => {
    expect(await refusal(open({ ...a, encryptedData: b.encryptedData }))).toMatchObject({
      code: 'hash-mismatch',
      part: 'data',
    });
    expect(
      await refusal(
        open({ ...a, encryptedAttachments: { ...a.encryptedAttachments, ausweis: b.encryptedAttachments.ausweis! } }),
      ),
    ).toMatchObject({
      code: 'hash-mismatch',
      part: 'attachment:ausweis',
    });
    const r = await refusal(open({ ...a, encryptedMetadata: b.encryptedMetadata }));
    expect(r).toMatchObject({ code: 'message-mismatch', part: 'container' });
    expect(r.message).toContain(b.messageId);
  });

  it('refuses changed ids in the container and a message for another destination', async () => {
    expect((await refusal(open({ ...a, messageId: b.messageId }))).code).toBe('message-mismatch');
    expect((await refusal(open({ ...a, destinationId: 'leipzig-gewerbeamt' }))).code).toBe('message-mismatch');
    expect((await refusal(open(a, { expectedDestinationId: 'leipzig-gewerbeamt' }))).code).toBe('message-mismatch');
  });

  it('refuses a missing or an added attachment', async () => {
    const { vollmacht: _dropped, ...rest } = a.encryptedAttachments;
    expect(await refusal(open({ ...a, encryptedAttachments: rest }))).toMatchObject({
      code: 'attachment-set-mismatch',
    });
    const added = { ...a, encryptedAttachments: { ...a.encryptedAttachments, extra: a.encryptedAttachments.ausweis! } };
    const r = await refusal(open(added));
    expect(r.code).toBe('attachment-set-mismatch');
    expect(r.message).toContain('extra');
  });

  it('refuses data re-encrypted by someone holding only the public key', async () => {
    const forged = { ...a, encryptedData: await encrypt('<nachricht>gefälscht</nachricht>', 'application/xml') };
    expect(await refusal(open(forged))).toMatchObject({ code: 'hash-mismatch', part: 'data' });
  });

  it('refuses the wrong recipient key', async () => {
    const leipzig = demoJwk('leipzig-gewerbeamt.encryption');
    expect(await refusal(open(a, { recipientKeys: leipzig }))).toMatchObject({
      code: 'no-recipient-key',
      part: 'metadata',
    });
    // The right kid, another key's material.
    expect(await refusal(open(a, { recipientKeys: { ...leipzig, kid: DRESDEN_KID } }))).toMatchObject({
      code: 'decryption-failed',
      part: 'metadata',
    });
    // Several keys (during the receiver's own rotation): the kid picks the right one.
    await expect(open(a, { recipientKeys: [leipzig, dresdenPrivate] })).resolves.toBeDefined();
  });

  it('refuses a message signed with a retired gateway key (not in the pinned JWKS)', async () => {
    const { container } = await sealMessage(sampleInput(), { signing: signingKeyFor(keys, SIGNING_2), recipient });
    const r = await refusal(open(container));
    expect(r).toMatchObject({ code: 'unknown-signing-key', part: 'metadata' });
    expect(r.message).toContain(SIGNING_2);
    // With both keys pinned (during the rotation overlap) it opens.
    await expect(open(container, { gatewayJwks: gatewayJwks(keys) })).resolves.toBeDefined();
  });

  it('refuses alg none and every other algorithm', async () => {
    const none = await withMetadataJws(
      a,
      (jws) => `${b64({ alg: 'none', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' })}.${jws.split('.')[1]!}.`,
    );
    expect(await refusal(open(none))).toMatchObject({ code: 'algorithm-not-allowed', part: 'metadata' });

    // HS512 with the published public key as HMAC secret (the classic key confusion).
    const hmac = await withMetadataJws(a, async (jws) => {
      const payload = Buffer.from(jws.split('.')[1]!, 'base64url');
      const secret = createSecretKey(Buffer.from(JSON.stringify(pinned.keys[0])));
      return new CompactSign(payload)
        .setProtectedHeader({ alg: 'HS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' })
        .sign(secret);
    });
    expect(await refusal(open(hmac))).toMatchObject({ code: 'algorithm-not-allowed' });
  });

  it('refuses a kid that is not published, and a published kid with another key', async () => {
    const attacker = fixtureJwk('foreign-root');
    const { kty, n, e, d, p, q, dp, dq, qi } = attacker as Record<string, string>;
    const attackerKey = createPrivateKey({ key: { kty, n, e, d, p, q, dp, dq, qi }, format: 'jwk' });
    const signWith = (kid: string) =>
      withMetadataJws(a, (jws) =>
        new CompactSign(Buffer.from(jws.split('.')[1]!, 'base64url'))
          .setProtectedHeader({ alg: 'PS512', kid, typ: 'JOSE', cty: 'application/json' })
          .sign(attackerKey),
      );
    expect(await refusal(open(await signWith('attacker-2026')))).toMatchObject({ code: 'unknown-signing-key' });
    expect(await refusal(open(await signWith(SIGNING_1)))).toMatchObject({ code: 'signature-invalid' });
  });

  it('never uses a key that arrives with the message', async () => {
    const attacker = fixtureJwk('foreign-root');
    const { kty, n, e, d, p, q, dp, dq, qi } = attacker as Record<string, string>;
    const attackerKey = createPrivateKey({ key: { kty, n, e, d, p, q, dp, dq, qi }, format: 'jwk' });
    const embedded = await withMetadataJws(a, (jws) =>
      new CompactSign(Buffer.from(jws.split('.')[1]!, 'base64url'))
        .setProtectedHeader({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json', jwk: { kty, n, e } })
        .sign(attackerKey),
    );
    expect(await refusal(open(embedded))).toMatchObject({ code: 'unexpected-header' });
  });

  it('refuses metadata the gateway key signed that is not of the format', async () => {
    const signing = signingKeyFor(keys, SIGNING_1);
    const odd = await withMetadataJws(a, () =>
      new CompactSign(Buffer.from(JSON.stringify({ format: 'amtsbote-sealed/1', messageId: a.messageId })))
        .setProtectedHeader({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' })
        .sign(signing.privateKey),
    );
    expect(await refusal(open(odd))).toMatchObject({ code: 'malformed-metadata' });
  });

  it('refuses JWE headers outside the format: zip, another enc, missing cty, wrong cty', async () => {
    const withHeader = (jwe: string, header: Record<string, unknown>) =>
      [b64({ ...decodeProtectedHeader(jwe), ...header }), ...jwe.split('.').slice(1)].join('.');
    expect(await refusal(open({ ...a, encryptedData: withHeader(a.encryptedData, { zip: 'DEF' }) }))).toMatchObject({
      code: 'unexpected-header',
      part: 'data',
    });
    expect(await refusal(open({ ...a, encryptedData: withHeader(a.encryptedData, { enc: 'A128GCM' }) }))).toMatchObject(
      { code: 'unexpected-header' },
    );
    expect(await refusal(open({ ...a, encryptedData: withHeader(a.encryptedData, { alg: 'RSA1_5' }) }))).toMatchObject({
      code: 'unexpected-header',
    });
    expect(await refusal(open({ ...a, encryptedData: withHeader(a.encryptedData, { cty: undefined }) }))).toMatchObject(
      { code: 'unexpected-header' },
    );
    const wrongCty = { ...a, encryptedData: await encrypt(Buffer.from('x'), 'text/plain') };
    expect(await refusal(open(wrongCty))).toMatchObject({ code: 'content-type-mismatch', part: 'data' });
  });

  it('ignores header members outside the format that are not forbidden, in the JWEs and in the JWS, and extra container members', async () => {
    const { plaintext: data } = await compactDecrypt(a.encryptedData, dresdenKeyObject);
    const withExtraJwe = {
      ...a,
      encryptedData: await encrypt(data, 'application/xml', { 'x-vendor': 'any', typ: 'JWE' }),
    };
    const signing = signingKeyFor(keys, SIGNING_1);
    const withExtras = await withMetadataJws(withExtraJwe, (jws) =>
      new CompactSign(Buffer.from(jws.split('.')[1]!, 'base64url'))
        .setProtectedHeader({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json', 'x-vendor': 'any' })
        .sign(signing.privateKey),
    );
    const opened = await open({ ...withExtras, revision: 2 });
    expect(opened.metadata.messageId).toBe(a.messageId);
    expect(Buffer.from(opened.data).equals(Buffer.from(data))).toBe(true);
  });

  it('refuses what is not a container', async () => {
    expect((await refusal(open('not json'))).code).toBe('malformed-container');
    expect((await refusal(open({ ...a, format: 'amtsbote-sealed/2' }))).code).toBe('unsupported-format');
    expect((await refusal(open({ ...a, encryptedData: 42 }))).code).toBe('malformed-container');
    expect(
      (await refusal(open({ ...a, encryptedAttachments: { '../etc': a.encryptedAttachments.ausweis } }))).code,
    ).toBe('malformed-container');
    expect((await refusal(open({ ...a, encryptedData: 'a.b.c' }))).code).toBe('malformed-part');
    // The JSON text as bytes is a container too (what a file or an HTTP body holds).
    await expect(open(Buffer.from(JSON.stringify(a)))).resolves.toBeDefined();
  });
});
