import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { openReplyMetadata, sealReplyMetadata } from '../../src/seal/escrow/reply-metadata.js';
import { escrowKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import { ESCROW_1, ESCROW_2, testGatewayKeys } from './fixtures.js';

let keys: GatewayKeys;

const replyId = 'b7d1c0de-0000-4000-8000-000000000024';
// A JWS as a destination signs it: its payload, readable base64url, names the attachment's file.
const payload = { replyId, attachments: [{ id: 'bescheid', filename: 'Bescheid_Marker_Xq7.pdf' }] };
const signedMetadata = [
  Buffer.from(JSON.stringify({ alg: 'PS512', kid: 'gewerbeamt-receipt' })).toString('base64url'),
  Buffer.from(JSON.stringify(payload)).toString('base64url'),
  Buffer.from('signature bytes').toString('base64url'),
].join('.');

beforeAll(async () => {
  keys = await testGatewayKeys();
});

describe("a reply's signed metadata at rest", () => {
  it('is sealed to the escrow key, bound to its reply, and opened verbatim', async () => {
    const sealed = sealReplyMetadata(signedMetadata, replyId, escrowKeyFor(keys, ESCROW_1));
    expect(decodeProtectedHeader(sealed)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: ESCROW_1,
      cty: 'application/vnd.amtsbote.reply-metadata',
      sub: replyId,
    });
    expect(sealed).not.toContain(signedMetadata.split('.')[1]);
    expect(sealed).not.toContain('Marker');
    expect(await openReplyMetadata(sealed, keys.escrow, replyId)).toBe(signedMetadata);
  });

  it('opens with the escrow key that sealed it after another became current', async () => {
    const sealed = sealReplyMetadata(signedMetadata, replyId, escrowKeyFor(keys, ESCROW_2));
    expect(await openReplyMetadata(sealed, keys.escrow, replyId)).toBe(signedMetadata);
  });

  it("refuses another reply's metadata, a missing key and a changed ciphertext", async () => {
    const sealed = sealReplyMetadata(signedMetadata, replyId, escrowKeyFor(keys, ESCROW_1));
    await expect(openReplyMetadata(sealed, keys.escrow, 'another-reply')).rejects.toMatchObject({
      code: 'internal',
      extensions: { reason: 'escrow-invalid' },
    });
    const withoutKey = new Map([...keys.escrow].filter(([kid]) => kid !== ESCROW_1));
    await expect(openReplyMetadata(sealed, withoutKey, replyId)).rejects.toMatchObject({
      code: 'invalid-config',
      extensions: { reason: 'escrow-key-missing', kid: ESCROW_1 },
    });
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString('base64url');
    await expect(openReplyMetadata(parts.join('.'), keys.escrow, replyId)).rejects.toMatchObject({
      extensions: { reason: 'escrow-invalid' },
    });
    await expect(openReplyMetadata(signedMetadata, keys.escrow, replyId)).rejects.toMatchObject({
      extensions: { reason: 'escrow-invalid' },
    });
  });
});
