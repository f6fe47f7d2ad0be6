import { createPublicKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha512 } from '../../src/lib/sha512.js';
import { isOpenReplyError, openReply, runPortalOpenReply } from '../../src/portal-kit/index.js';
import { buildReply, type BuiltReply } from '../../src/receiver/build-reply.js';
import type { FetchedReply, PostedReply } from '../../src/receiver/reply-format.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import { countersignReply } from '../../src/seal/reply/countersign-reply.js';
import { fixtureJwk, publicJwk, SIGNING_1, SIGNING_2, testGatewayKeys } from '../seal/fixtures.js';

const receiptJwk = fixtureJwk('recipient-receipt-signing');
const destinationKey = { kid: receiptJwk.kid as string, key: createPublicKey({ key: receiptJwk, format: 'jwk' }) };
const portalPrivate = fixtureJwk('portal-reply-1');
const message = { metadata: { submissionId: 'sub-1', messageId: 'msg-1', destinationId: 'dresden-gewerbeamt' } };
const pdf = Buffer.from('%PDF-1.4 Bescheid');
let keys: GatewayKeys;
let pinned: ReturnType<typeof gatewayJwks>;
let built: BuiltReply;
let good: FetchedReply;

/** What the gateway forwards: the posted reply, countersigned. */
async function forward(reply: PostedReply, seq = 1): Promise<FetchedReply> {
  const metadata = JSON.parse(Buffer.from(reply.signedMetadata.split('.')[1]!, 'base64url').toString('utf8')) as {
    replyId: string;
    submissionId: string;
    destinationId: string;
    kind: 'notice';
  };
  const receivedAt = new Date('2026-12-07T10:00:00.000Z');
  const { countersignature } = await countersignReply(
    { ...metadata, seq, receivedAt, signedMetadata: reply.signedMetadata, destinationKey },
    signingKeyFor(keys, SIGNING_1),
  );
  return {
    format: 'amtsbote-reply/1',
    replyId: metadata.replyId,
    submissionId: metadata.submissionId,
    seq,
    kind: metadata.kind,
    receivedAt: receivedAt.toISOString(),
    signedMetadata: reply.signedMetadata,
    countersignature,
    encryptedData: reply.encryptedData,
    encryptedAttachments: reply.encryptedAttachments,
  };
}

/** The destination signs changed metadata (a faulty destination: the gateway would refuse most of these). */
async function resign(reply: PostedReply, change: (m: Record<string, unknown>) => void): Promise<PostedReply> {
  const payload = JSON.parse(Buffer.from(reply.signedMetadata.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(payload);
  const signedMetadata = await new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'PS512', kid: destinationKey.kid, typ: 'JOSE', cty: 'application/json' })
    .sign(await importJWK({ ...receiptJwk, alg: 'PS512' }, 'PS512'));
  return { ...reply, signedMetadata };
}

async function refusal(reply: unknown, options: { expectedSubmissionId?: string } = {}) {
  try {
    await openReply(typeof reply === 'string' ? reply : JSON.stringify(reply), {
      privateKeys: portalPrivate,
      gatewayJwks: pinned,
      ...options,
    });
  } catch (error) {
    if (isOpenReplyError(error)) return { code: error.code, part: error.part };
    throw error;
  }
  throw new Error('the reply opened');
}

beforeAll(async () => {
  keys = await testGatewayKeys();
  pinned = gatewayJwks(keys, [SIGNING_2]);
  built = await buildReply({
    message,
    kind: 'notice',
    data: { content: Buffer.from('{"bescheid":"ja"}'), mediaType: 'application/json', schemaUri: 'urn:test:b' },
    attachments: [{ id: 'bescheid.pdf', filename: '../Bescheid.pdf', mediaType: 'application/pdf', content: pdf }],
    replyKey: publicJwk(portalPrivate),
    signingJwk: receiptJwk,
  });
  good = await forward(built.reply);
});

describe('openReply', () => {
  it('opens a forwarded reply and returns the verified parts', async () => {
    const opened = await openReply(good, {
      privateKeys: [portalPrivate],
      gatewayJwks: pinned,
      expectedSubmissionId: 'sub-1',
    });
    expect(opened).toMatchObject({ replyId: built.metadata.replyId, submissionId: 'sub-1', seq: 1, kind: 'notice' });
    expect(opened.metadata).toEqual(built.metadata);
    expect(opened.data.toString('utf8')).toBe('{"bescheid":"ja"}');
    expect(opened.attachments.get('bescheid.pdf')).toEqual({
      content: pdf,
      filename: '../Bescheid.pdf',
      mediaType: 'application/pdf',
    });
  });

  it('refuses what is not a reply of the format', async () => {
    expect(await refusal('{')).toEqual({ code: 'malformed-reply', part: 'reply' });
    expect(await refusal({ ...good, format: 'amtsbote-reply/2' })).toEqual({
      code: 'unsupported-format',
      part: 'reply',
    });
    expect(await refusal({ ...good, seq: 0 })).toEqual({ code: 'malformed-reply', part: 'reply' });
    expect(await refusal({ ...good, encryptedAttachments: { '..': good.encryptedData } })).toEqual({
      code: 'malformed-reply',
      part: 'reply',
    });
  });

  it('refuses clear members that are not the countersigned ones', async () => {
    expect(await refusal({ ...good, seq: 2 })).toEqual({ code: 'reply-mismatch', part: 'countersignature' });
    expect(await refusal({ ...good, replyId: '00000000-0000-4000-8000-000000000000' })).toEqual({
      code: 'reply-mismatch',
      part: 'countersignature',
    });
    expect(await refusal({ ...good, kind: 'information' })).toEqual({ code: 'reply-mismatch', part: 'metadata' });
    expect(await refusal(good, { expectedSubmissionId: 'sub-2' })).toEqual({
      code: 'reply-mismatch',
      part: 'metadata',
    });
  });

  it('refuses a countersignature without PS512, with an embedded key or with a malformed payload', async () => {
    const [, payload] = good.countersignature.split('.');
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const none = `${header({ alg: 'none', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json' })}.${payload}.AAAA`;
    expect(await refusal({ ...good, countersignature: none })).toEqual({
      code: 'algorithm-not-allowed',
      part: 'countersignature',
    });
    const gateway = signingKeyFor(keys, SIGNING_1);
    const sign = (body: unknown, extra: object = {}) =>
      new CompactSign(Buffer.from(JSON.stringify(body)))
        .setProtectedHeader({ alg: 'PS512', kid: SIGNING_1, typ: 'JOSE', cty: 'application/json', ...extra })
        .sign(gateway.privateKey);
    const counter = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(await refusal({ ...good, countersignature: await sign(counter, { jwk: publicJwk(receiptJwk) }) })).toEqual({
      code: 'unexpected-header',
      part: 'countersignature',
    });
    expect(await refusal({ ...good, countersignature: await sign({ ...counter, destinationKey: undefined }) })).toEqual(
      {
        code: 'malformed-countersignature',
        part: 'countersignature',
      },
    );
    const weak = publicJwk(fixtureJwk('weak-2048'));
    const { calculateJwkThumbprint } = await import('jose');
    const weakKey = { kty: 'RSA', n: weak.n, e: weak.e, kid: destinationKey.kid };
    const weakCounter = {
      ...counter,
      destinationKey: weakKey,
      destinationKeyThumbprint: await calculateJwkThumbprint(weakKey as never),
    };
    expect(await refusal({ ...good, countersignature: await sign(weakCounter) })).toEqual({
      code: 'malformed-countersignature',
      part: 'countersignature',
    });
  });

  it('refuses metadata that is not the format, signed under another kid, or with attachments other than carried', async () => {
    const forwarded = async (change: (m: Record<string, unknown>) => void) =>
      forward(await resign(built.reply, change));
    expect(await refusal(await forwarded((m) => delete m.messageId))).toEqual({
      code: 'malformed-metadata',
      part: 'metadata',
    });
    const other = await buildReply({
      message,
      kind: 'notice',
      data: { content: Buffer.from('{}'), mediaType: 'application/json', schemaUri: 'urn:test:b' },
      replyKey: publicJwk(portalPrivate),
      signingJwk: { ...receiptJwk, kid: 'another-kid' },
    });
    expect(await refusal(await forward(other.reply))).toEqual({ code: 'unknown-signing-key', part: 'metadata' });
    expect(await refusal({ ...good, encryptedAttachments: {} })).toEqual({
      code: 'attachment-set-mismatch',
      part: 'reply',
    });
  });

  it('refuses a part whose media type, ciphertext or plain bytes are not the signed ones', async () => {
    const jwe = built.reply.encryptedData;
    const ctyChanged = await forward(
      await resign(built.reply, (m) => ((m.data as Record<string, unknown>).mediaType = 'application/xml')),
    );
    expect(await refusal(ctyChanged)).toEqual({ code: 'content-type-mismatch', part: 'data' });
    const segments = jwe.split('.');
    segments[3] = (segments[3]![0] === 'A' ? 'B' : 'A') + segments[3]!.slice(1);
    const broken = segments.join('.');
    const consistent = await forward(
      await resign({ ...built.reply, encryptedData: broken }, (m) => {
        (m.data as Record<string, unknown>).jweSha512 = sha512(Buffer.from(broken));
      }),
    );
    expect(await refusal(consistent)).toEqual({ code: 'decryption-failed', part: 'data' });
    const plainChanged = await forward(
      await resign(built.reply, (m) => ((m.data as Record<string, unknown>).sha512 = sha512(Buffer.from('other')))),
    );
    expect(await refusal(plainChanged)).toEqual({ code: 'hash-mismatch', part: 'data' });
    expect(await refusal({ ...good, encryptedData: broken })).toEqual({ code: 'hash-mismatch', part: 'data' });
  });
});

describe('amtsbote portal open-reply', () => {
  let dir: string;
  let files: { reply: string; key: string; jwks: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'amtsbote-open-reply-'));
    files = { reply: join(dir, 'reply.json'), key: join(dir, 'key.json'), jwks: join(dir, 'jwks.json') };
    writeFileSync(files.reply, JSON.stringify(good));
    writeFileSync(files.key, JSON.stringify(portalPrivate));
    chmodSync(files.key, 0o600);
    writeFileSync(files.jwks, JSON.stringify(pinned));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (out: string, extra: object = {}) =>
    runPortalOpenReply({
      replyFile: files.reply,
      keyFiles: [files.key],
      gatewayJwks: files.jwks,
      outDir: out,
      ...extra,
    });

  it('writes the verified parts owner-readable only, the attachment under a safe name', async () => {
    const out = join(dir, 'opened');
    const result = await run(out);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ replyId: built.metadata.replyId, seq: 1, kind: 'notice' });
    expect(readdirSync(out).sort()).toEqual([
      'attachments',
      'countersignature.json',
      'countersignature.jws',
      'data.json',
      'metadata.json',
      'metadata.jws',
    ]);
    const attachment = join(out, 'attachments', 'bescheid.pdf', 'Bescheid.pdf');
    expect(readFileSync(attachment)).toEqual(pdf);
    expect(statSync(attachment).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'metadata.jws'), 'utf8').trim()).toBe(good.signedMetadata);
  });

  it('exits 1 with the reason when the reply is refused, 2 when it cannot run', async () => {
    const refused = await run(join(dir, 'refused'), { submissionId: 'sub-2' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^refused: reply-mismatch \(metadata\)/);
    const notEmpty = await run(join(dir, 'opened'));
    expect(notEmpty.exitCode).toBe(2);
    expect(notEmpty.stderr).toContain('is not empty');
    chmodSync(files.key, 0o644);
    const exposed = await run(join(dir, 'exposed'));
    chmodSync(files.key, 0o600);
    expect(exposed.exitCode).toBe(2);
    expect(exposed.stderr).toContain('readable by group or others');
    expect((await run(join(dir, 'nokey'), { keyFiles: [] })).exitCode).toBe(2);
    expect((await run(join(dir, 'nofile'), { replyFile: join(dir, 'missing.json') })).exitCode).toBe(2);
  });
});
