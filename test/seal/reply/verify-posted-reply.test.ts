import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha512 } from '../../../src/lib/sha512.js';
import { buildReply, type BuiltReply } from '../../../src/receiver/build-reply.js';
import { countersignaturePayloadSchema, type PostedReply } from '../../../src/receiver/reply-format.js';
import { signingKeyFor } from '../../../src/seal/gateway-keys/select-key.js';
import { countersignReply } from '../../../src/seal/reply/countersign-reply.js';
import { isReplyError, type ReplyRefusalReason } from '../../../src/seal/reply/errors.js';
import { parsePostedReply } from '../../../src/seal/reply/parse-posted-reply.js';
import { peekReplyMetadata } from '../../../src/seal/reply/peek-reply-metadata.js';
import { verifyPostedReply } from '../../../src/seal/reply/verify-reply-metadata.js';
import { fixtureJwk, publicJwk, SIGNING_1, testGatewayKeys } from '../fixtures.js';

const receiptJwk = fixtureJwk('recipient-receipt-signing');
const receiptKey = { kid: receiptJwk.kid as string, key: createPublicKey({ key: receiptJwk, format: 'jwk' }) };
const portalKey = publicJwk(fixtureJwk('portal-reply-1'));
const replyKeyKids = ['test-portal-reply-1'];
const message = { metadata: { submissionId: 'sub-1', messageId: 'msg-1', destinationId: 'dresden-gewerbeamt' } };
let built: BuiltReply;

const build = (extra: Partial<Parameters<typeof buildReply>[0]> = {}) =>
  buildReply({
    message,
    kind: 'notice',
    data: { content: Buffer.from('{"ok":true}'), mediaType: 'application/json', schemaUri: 'urn:test:bescheid' },
    attachments: [
      { id: 'bescheid.pdf', filename: 'Bescheid.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF') },
    ],
    replyKey: portalKey,
    signingJwk: receiptJwk,
    ...extra,
  });

beforeAll(async () => {
  built = await build();
});

/** The reason a posted reply is refused with, and the pointer of its one field error. */
async function refusal(reply: unknown, kids = replyKeyKids): Promise<{ reason: ReplyRefusalReason; pointer?: string }> {
  try {
    await verifyPostedReply(parsePostedReply(reply), { receiptKey, replyKeyKids: kids });
  } catch (error) {
    if (!isReplyError(error)) throw error;
    expect(error.code).toBe('invalid-reply');
    return { reason: error.extensions.reason, ...(error.errors[0] ? { pointer: error.errors[0].pointer } : {}) };
  }
  throw new Error('the reply was accepted');
}

/** Signs a changed metadata payload with the destination's key, as a careless or hostile sender would. */
async function resign(
  reply: PostedReply,
  change: (m: Record<string, unknown>) => void,
  header = {},
): Promise<PostedReply> {
  const payload = JSON.parse(Buffer.from(reply.signedMetadata.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(payload);
  const signedMetadata = await new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'PS512', kid: receiptKey.kid, typ: 'JOSE', cty: 'application/json', ...header })
    .sign(await importJWK({ ...receiptJwk, alg: 'PS512' }, 'PS512'));
  return { ...reply, signedMetadata };
}

describe('verifyPostedReply: what the gateway checks without decrypting', () => {
  it('accepts a reply the receiver kit built and returns its signed metadata', async () => {
    const verified = await verifyPostedReply(parsePostedReply(built.reply), { receiptKey, replyKeyKids });
    expect(verified.metadata).toEqual(built.metadata);
    expect(verified.signingKid).toBe('test-recipient-sig-1');
    expect(peekReplyMetadata(built.reply.signedMetadata)).toEqual({
      destinationId: 'dresden-gewerbeamt',
      kid: 'test-recipient-sig-1',
    });
  });

  it('refuses a body that is not the format', async () => {
    expect(await refusal(null)).toEqual({ reason: 'malformed', pointer: '' });
    expect(await refusal({ ...built.reply, format: 'amtsbote-sealed/1' })).toEqual({
      reason: 'malformed',
      pointer: '/format',
    });
    expect(await refusal({ ...built.reply, encryptedData: 'a.b' })).toEqual({
      reason: 'malformed',
      pointer: '/encryptedData',
    });
    expect(
      await refusal({ ...built.reply, encryptedAttachments: { __proto__x: 'x', '..': 'a.b.c.d.e' } }),
    ).toMatchObject({
      reason: 'malformed',
    });
  });

  it('refuses metadata signed with another key, with another kid, or changed after signing', async () => {
    const other = await build({ signingJwk: { ...fixtureJwk('gateway-signing-2'), kid: receiptKey.kid } });
    expect(await refusal(other.reply)).toEqual({ reason: 'signature-invalid', pointer: '/signedMetadata' });
    const otherKid = await build({ signingJwk: { ...receiptJwk, kid: 'someone-else' } });
    expect(await refusal(otherKid.reply)).toEqual({ reason: 'unknown-signing-key', pointer: '/signedMetadata' });
    const [h, , s] = built.reply.signedMetadata.split('.');
    const swappedPayload = other.reply.signedMetadata.split('.')[1];
    expect(await refusal({ ...built.reply, signedMetadata: `${h}.${swappedPayload}.${s}` })).toMatchObject({
      reason: 'signature-invalid',
    });
  });

  it('refuses a header the format does not allow', async () => {
    expect((await refusal(await resign(built.reply, () => {}, { typ: 'JWT' }))).reason).toBe('unexpected-header');
    expect((await refusal(await resign(built.reply, () => {}, { jku: 'https://evil.example/jwks' }))).reason).toBe(
      'unexpected-header',
    );
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: receiptKey.kid, typ: 'JOSE', cty: 'application/json' })).toString('base64url')}.${built.reply.signedMetadata.split('.')[1]}.AAAA`;
    expect((await refusal({ ...built.reply, signedMetadata: none })).reason).toBe('algorithm-not-allowed');
  });

  it('refuses a payload that is not the metadata, or lists an attachment twice', async () => {
    expect((await refusal(await resign(built.reply, (m) => (m.kind = 'bescheid')))).reason).toBe('malformed-metadata');
    expect((await refusal(await resign(built.reply, (m) => delete m.replyId))).reason).toBe('malformed-metadata');
    const twice = await resign(built.reply, (m) => {
      const list = m.attachments as unknown[];
      list.push(list[0]);
    });
    expect((await refusal(twice)).reason).toBe('malformed-metadata');
  });

  it('refuses a reply encrypted to a key that is not a current reply key of the submission', async () => {
    expect(await refusal(built.reply, ['another-portal-key'])).toEqual({
      reason: 'unknown-encryption-key',
      pointer: '/signedMetadata',
    });
    const lying = await resign(built.reply, (m) => (m.encryptionKid = 'another-portal-key'));
    expect(await refusal(lying, [...replyKeyKids, 'another-portal-key'])).toEqual({
      reason: 'unknown-encryption-key',
      pointer: '/encryptedData',
    });
  });

  it('refuses missing, extra and swapped attachments, and a changed part', async () => {
    expect(await refusal({ ...built.reply, encryptedAttachments: {} })).toEqual({
      reason: 'attachment-set-mismatch',
      pointer: '/encryptedAttachments',
    });
    expect(
      await refusal({
        ...built.reply,
        encryptedAttachments: { ...built.reply.encryptedAttachments, extra: built.reply.encryptedData },
      }),
    ).toMatchObject({ reason: 'attachment-set-mismatch' });
    expect(
      await refusal({ ...built.reply, encryptedAttachments: { 'bescheid.pdf': built.reply.encryptedData } }),
    ).toEqual({ reason: 'content-type-mismatch', pointer: '/encryptedAttachments/bescheid.pdf' });
    const again = await build();
    expect(await refusal({ ...built.reply, encryptedData: again.reply.encryptedData })).toEqual({
      reason: 'jwe-hash-mismatch',
      pointer: '/encryptedData',
    });
    expect(await refusal({ ...built.reply, encryptedData: 'eyJ9.a.b.c.d' })).toMatchObject({
      reason: 'malformed-part',
    });
  });
});

describe('countersignReply', () => {
  it('signs the ids, the hash of the signed metadata and the destination key with its thumbprint', async () => {
    const keys = await testGatewayKeys();
    const gatewayKey = signingKeyFor(keys, SIGNING_1);
    const receivedAt = new Date('2026-12-07T10:00:00.000Z');
    const { countersignature, payload } = await countersignReply(
      {
        replyId: built.metadata.replyId,
        submissionId: 'sub-1',
        seq: 3,
        destinationId: 'dresden-gewerbeamt',
        receivedAt,
        signedMetadata: built.reply.signedMetadata,
        destinationKey: receiptKey,
      },
      gatewayKey,
    );
    const verified = await compactVerify(countersignature, gatewayKey.publicKey, { algorithms: ['PS512'] });
    expect(verified.protectedHeader).toEqual({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' });
    const signed = countersignaturePayloadSchema.parse(JSON.parse(Buffer.from(verified.payload).toString('utf8')));
    expect(signed).toEqual(payload);
    expect(signed).toMatchObject({
      seq: 3,
      receivedAt: '2026-12-07T10:00:00.000Z',
      destinationId: 'dresden-gewerbeamt',
    });
    expect(signed.signedMetadataSha512).toBe(sha512(Buffer.from(built.reply.signedMetadata)));
    expect(Object.keys(signed.destinationKey).sort()).toEqual(['e', 'kid', 'kty', 'n']);
    expect(signed.destinationKeyThumbprint).toBe(await calculateJwkThumbprint(publicJwk(receiptJwk)));
  });
});
