import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReply } from '../../src/receiver/build-reply.js';
import { isReceiverError, type ReceiverFailureCode } from '../../src/receiver/errors.js';
import { postedReplySchema } from '../../src/receiver/reply-format.js';
import { runReceiverReply, type ReceiverReplyOptions } from '../../src/receiver/reply-command.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { checkEncryptionJwk } from '../../src/seal/recipient-keys/check-recipient-jwk.js';
import { defaultRecipientKeyPolicy } from '../../src/seal/recipient-keys/policy.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import { serializeContainer } from '../../src/seal/sealed-message/serialize-container.js';
import { sha512 } from '../../src/lib/sha512.js';
import {
  FIXED_CLOCK,
  fixtureJwk,
  publicJwk,
  sampleInput,
  SIGNING_1,
  SIGNING_2,
  testGatewayKeys,
} from '../seal/fixtures.js';

const receiptJwk = fixtureJwk('recipient-receipt-signing');
const portalPublic = publicJwk(fixtureJwk('portal-reply-1'));
const message = { metadata: { submissionId: 'sub-1', messageId: 'msg-1', destinationId: 'dresden-gewerbeamt' } };
const base = {
  message,
  kind: 'notice' as const,
  data: { content: Buffer.from('{"bescheid":"ja"}'), mediaType: 'application/json', schemaUri: 'urn:test:bescheid' },
  replyKey: portalPublic,
  signingJwk: receiptJwk,
};

async function refused(options: Parameters<typeof buildReply>[0]): Promise<ReceiverFailureCode> {
  try {
    await buildReply(options);
  } catch (error) {
    if (isReceiverError(error)) return error.code;
    throw error;
  }
  throw new Error('the reply was built');
}

describe('buildReply', () => {
  it('encrypts every part to the reply key and signs ids, kind and both hashes of every part', async () => {
    const pdf = Buffer.from('%PDF-1.4 Bescheid');
    const built = await buildReply({
      ...base,
      replyId: '0b5e3c1a-8d7f-4e2a-9c6b-1a2b3c4d5e6f',
      attachments: [{ filename: 'Bescheid.pdf', mediaType: 'application/pdf', content: pdf }],
      now: new Date('2026-12-07T09:00:00.000Z'),
    });
    expect(postedReplySchema.parse(built.reply)).toEqual(built.reply);
    expect(built.metadata).toEqual({
      replyId: '0b5e3c1a-8d7f-4e2a-9c6b-1a2b3c4d5e6f',
      submissionId: 'sub-1',
      messageId: 'msg-1',
      destinationId: 'dresden-gewerbeamt',
      kind: 'notice',
      createdAt: '2026-12-07T09:00:00.000Z',
      encryptionKid: 'test-portal-reply-1',
      data: {
        mediaType: 'application/json',
        schemaUri: 'urn:test:bescheid',
        sha512: sha512(base.data.content),
        jweSha512: sha512(Buffer.from(built.reply.encryptedData)),
      },
      attachments: [
        {
          id: 'attachment-1',
          filename: 'Bescheid.pdf',
          mediaType: 'application/pdf',
          sha512: sha512(pdf),
          jweSha512: sha512(Buffer.from(built.reply.encryptedAttachments['attachment-1']!)),
        },
      ],
    });
    const header = JSON.parse(
      Buffer.from(built.reply.encryptedData.split('.')[0]!, 'base64url').toString('utf8'),
    ) as unknown;
    expect(header).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: 'test-portal-reply-1',
      cty: 'application/json',
    });
  });

  it('refuses bad input precisely, before encrypting anything', async () => {
    expect(await refused({ ...base, kind: 'bescheid' as never })).toBe('invalid-reply-input');
    expect(await refused({ ...base, data: { ...base.data, mediaType: 'text/plain' } })).toBe('invalid-reply-input');
    expect(await refused({ ...base, data: { ...base.data, schemaUri: '' } })).toBe('invalid-reply-input');
    const a = { filename: 'a.pdf', mediaType: 'application/pdf', content: Buffer.from('x') };
    expect(
      await refused({
        ...base,
        attachments: [
          { ...a, id: 'x' },
          { ...a, id: 'x' },
        ],
      }),
    ).toBe('invalid-reply-input');
    expect(await refused({ ...base, attachments: [{ ...a, id: '__proto__' }] })).toBe('invalid-reply-input');
    expect(await refused({ ...base, attachments: [{ ...a, mediaType: 'pdf' }] })).toBe('invalid-reply-input');
    expect(await refused({ ...base, attachments: [{ ...a, filename: '' }] })).toBe('invalid-reply-input');
    expect(await refused({ ...base, replyId: 'not-a-uuid' })).toBe('invalid-reply-input');
    expect(await refused({ ...base, signingJwk: { ...receiptJwk, kid: undefined } })).toBe('key-without-kid');
  });

  it("refuses a reply key that is not the portal's public RSA-OAEP-256 key of 4096 bits", async () => {
    expect(await refused({ ...base, replyKey: fixtureJwk('portal-reply-1') })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: { ...portalPublic, kid: undefined } })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: { ...portalPublic, alg: 'RSA1_5' } })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: { ...portalPublic, use: 'sig' } })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: { ...portalPublic, key_ops: ['verify'] } })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: publicJwk(fixtureJwk('weak-2048')) })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: { keys: [portalPublic, portalPublic] } })).toBe('invalid-reply-key');
    expect(await refused({ ...base, replyKey: 'key' })).toBe('invalid-reply-key');
    // a JWK Set of one key is that key
    await expect(buildReply({ ...base, replyKey: { keys: [portalPublic] } })).resolves.toBeDefined();
  });
});

describe('amtsbote receiver reply', () => {
  let dir: string;
  let options: ReceiverReplyOptions;
  let server: ReturnType<typeof createServer>;
  let gatewayUrl: string;
  const received: { url: string; contentType: string; body: string }[] = [];
  let answer = { status: 202, body: '{"replyId":"x","status":"received"}' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amtsbote-receiver-reply-'));
    const keys = await testGatewayKeys();
    const recipientPrivate = fixtureJwk('recipient-encryption');
    const recipient = await checkEncryptionJwk(publicJwk(recipientPrivate), defaultRecipientKeyPolicy);
    const sealed = await sealMessage(
      sampleInput(),
      { signing: signingKeyFor(keys, SIGNING_1), recipient },
      {
        clock: FIXED_CLOCK,
      },
    );
    const file = (name: string, content: string | Buffer, mode = 0o600) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      chmodSync(path, mode);
      return path;
    };
    options = {
      messageFile: file('message.json', serializeContainer(sealed.container)),
      gatewayJwks: file('jwks.json', JSON.stringify(gatewayJwks(keys, [SIGNING_2]))),
      keyFiles: [file('enc.json', JSON.stringify(recipientPrivate))],
      kind: 'notice',
      dataFile: file('bescheid.json', '{"bescheid":"Gewerbeanmeldung bestätigt"}'),
      schemaUri: 'urn:test:bescheid',
      attachments: [file('bescheid.pdf', '%PDF-1.4'), file('scan.bin', 'raw') + '@application/octet-stream'],
      replyKeyFile: file('portal.json', JSON.stringify(portalPublic)),
      signingKeyFile: file('sig.json', JSON.stringify(receiptJwk)),
    };
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the message, builds the reply to its signed ids and posts it to /v1/replies', async () => {
    const result = await runReceiverReply({ ...options, gatewayUrl });
    expect(result).toEqual({ exitCode: 0, stdout: answer.body + '\n', stderr: '' });
    const posted = received.at(-1)!;
    expect(posted.url).toBe('/v1/replies');
    expect(posted.contentType).toBe('application/json');
    const reply = postedReplySchema.parse(JSON.parse(posted.body));
    expect(Object.keys(reply.encryptedAttachments)).toEqual(['bescheid.pdf', 'scan.bin']);
    const metadata = JSON.parse(
      Buffer.from(reply.signedMetadata.split('.')[1]!, 'base64url').toString('utf8'),
    ) as unknown;
    expect(metadata).toMatchObject({
      submissionId: sampleInput().submissionId,
      destinationId: sampleInput().destinationId,
      kind: 'notice',
      data: { mediaType: 'application/json' },
      attachments: [
        { id: 'bescheid.pdf', mediaType: 'application/pdf' },
        { id: 'scan.bin', mediaType: 'application/octet-stream' },
      ],
    });
  });

  it('exits 1 with the problem when the gateway refuses the reply', async () => {
    answer = { status: 422, body: '{"type":"https://amtsbote.dev/problems/invalid-reply","reason":"not-received"}' };
    const result = await runReceiverReply({ ...options, gatewayUrl });
    answer = { status: 202, body: '{}' };
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the gateway refused the reply (422)');
    expect(result.stderr).toContain('not-received');
  });

  it('writes the reply with --out, and never over an existing file', async () => {
    const out = join(dir, 'reply.json');
    const result = await runReceiverReply({
      ...options,
      outFile: out,
      replyId: '0b5e3c1a-8d7f-4e2a-9c6b-1a2b3c4d5e6f',
    });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ replyId: '0b5e3c1a-8d7f-4e2a-9c6b-1a2b3c4d5e6f', file: out });
    expect(postedReplySchema.safeParse(JSON.parse(readFileSync(out, 'utf8'))).success).toBe(true);
    expect((await runReceiverReply({ ...options, outFile: out })).exitCode).toBe(2);
  });

  it('exits 2 with a precise message on bad options and files', async () => {
    const cases: [Partial<ReceiverReplyOptions>, string][] = [
      [{}, 'give exactly one of --gateway'],
      [{ gatewayUrl, outFile: join(dir, 'both.json') }, 'give exactly one of --gateway'],
      [{ gatewayUrl, kind: 'bescheid' }, '--kind must be one of notice, request, information'],
      [{ gatewayUrl, dataFile: join(dir, 'scan.bin') }, 'give --data-type'],
      [{ gatewayUrl, attachments: [join(dir, 'scan.bin')] }, '@<media type>'],
      [{ gatewayUrl, replyKeyFile: options.signingKeyFile }, 'contains private members'],
      [{ gatewayUrl, replyKeyFile: options.dataFile.replace('bescheid.json', 'missing.json') }, 'ENOENT'],
      [{ gatewayUrl, signingKeyFile: options.replyKeyFile, replyId: 'x' }, 'replyId'],
    ];
    for (const [change, text] of cases) {
      const result = await runReceiverReply({ ...options, ...change });
      expect(result.exitCode, text).toBe(2);
      expect(result.stderr, text).toContain(text);
    }
  });

  it('exits 1 when the received message does not open', async () => {
    const result = await runReceiverReply({ ...options, gatewayUrl, destinationId: 'leipzig-gewerbeamt' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^refused: message-mismatch/);
  });
});
