import { createHash, webcrypto } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSealedMessage } from '../../src/receiver/open-sealed-message.js';
import { gatewayJwks } from '../../src/seal/gateway-keys/public-jwks.js';
import { signingKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import { sealMessage } from '../../src/seal/sealed-message/seal-message.js';
import { serializeContainer } from '../../src/seal/sealed-message/serialize-container.js';
import { demoJwk, FIXED_CLOCK, recipientKey, sampleInput, SIGNING_1, testGatewayKeys } from './fixtures.js';

const sha512 = (b: Uint8Array | string) => createHash('sha512').update(b).digest('hex');

async function seal(overrides: Parameters<typeof sampleInput>[0] = {}) {
  const keys = await testGatewayKeys();
  return sealMessage(
    sampleInput(overrides),
    { signing: signingKeyFor(keys, SIGNING_1), recipient: await recipientKey('dresden-gewerbeamt') },
    { clock: FIXED_CLOCK },
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sealMessage (amtsbote-sealed/1)', () => {
  it('produces the container of design.md and the receiver kit opens it to the same parts', async () => {
    const input = sampleInput();
    const sealed = await seal();
    const { container } = sealed;
    expect(Object.keys(container)).toEqual([
      'format',
      'messageId',
      'destinationId',
      'encryptedMetadata',
      'encryptedData',
      'encryptedAttachments',
    ]);
    expect(container).toMatchObject({
      format: 'amtsbote-sealed/1',
      messageId: input.messageId,
      destinationId: 'dresden-gewerbeamt',
    });
    expect(Object.keys(container.encryptedAttachments)).toEqual(['ausweis', 'vollmacht']);

    const keys = await testGatewayKeys();
    const opened = await openSealedMessage(serializeContainer(container), {
      recipientKeys: demoJwk('dresden-gewerbeamt.encryption'),
      gatewayJwks: gatewayJwks(keys),
      expectedDestinationId: 'dresden-gewerbeamt',
    });
    expect(opened.data.toString('utf8')).toBe(input.data.content);
    expect(opened.dataMediaType).toBe('application/xml');
    expect([...opened.attachments.keys()]).toEqual(['ausweis', 'vollmacht']);
    expect(opened.attachments.get('ausweis')).toEqual({
      content: input.attachments[0]!.content,
      mediaType: 'application/pdf',
      filename: 'Personalausweis.pdf',
    });
    expect(opened.signingKid).toBe(SIGNING_1);
    expect(opened.authenticationTags).toEqual(sealed.authenticationTags);
    expect(opened.metadata).toEqual(sealed.metadata);
  });

  it('signs metadata with ids, service, region, standard, schema set, time, test flag and SHA-512 of every part', async () => {
    const input = sampleInput();
    const { metadata } = await seal();
    expect(metadata).toEqual({
      format: 'amtsbote-sealed/1',
      messageId: input.messageId,
      submissionId: input.submissionId,
      destinationId: 'dresden-gewerbeamt',
      createdAt: '2026-11-25T10:15:00.000Z',
      test: true,
      service: { key: '99050012104000', name: 'Gewerbeanmeldung' },
      region: { key: '146120000000', name: 'Landeshauptstadt Dresden' },
      standard: {
        name: 'xgewerbeanzeige',
        version: '2.2',
        message: 'alg.gewerbemeldung.0300',
        schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.2',
      },
      reference: 'AMT24-2026-000123',
      signingKid: SIGNING_1,
      contentStructure: {
        data: {
          mediaType: 'application/xml',
          size: Buffer.byteLength(input.data.content as string),
          hash: { type: 'sha512', content: sha512(input.data.content as string) },
        },
        attachments: input.attachments.map((a) => ({
          attachmentId: a.id,
          mediaType: a.mediaType,
          filename: a.filename,
          // An attachment the portal gave no purpose is the applicant's upload.
          purpose: 'attachment',
          size: a.content.length,
          hash: { type: 'sha512', content: sha512(a.content) },
        })),
      },
    });
  });

  it("signs each attachment's purpose into the metadata, as the portal gave it", async () => {
    const input = sampleInput();
    const sealed = await seal({
      attachments: [
        { ...input.attachments[0]!, purpose: 'form' },
        { ...input.attachments[1]!, purpose: 'report' },
      ],
    });
    const keys = await testGatewayKeys();
    const opened = await openSealedMessage(serializeContainer(sealed.container), {
      recipientKeys: demoJwk('dresden-gewerbeamt.encryption'),
      gatewayJwks: gatewayJwks(keys),
      expectedDestinationId: 'dresden-gewerbeamt',
    });
    expect(opened.metadata.contentStructure.attachments.map((a) => [a.attachmentId, a.purpose])).toEqual([
      ['ausweis', 'form'],
      ['vollmacht', 'report'],
    ]);
  });

  it('uses exactly the protected headers of the format: no zip, cty per part', async () => {
    const { container } = await seal();
    const kid = 'dresden-gewerbeamt-enc-2026';
    expect(decodeProtectedHeader(container.encryptedMetadata)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid,
      cty: 'JOSE',
    });
    expect(decodeProtectedHeader(container.encryptedData)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid,
      cty: 'application/xml',
    });
    expect(decodeProtectedHeader(container.encryptedAttachments.ausweis!)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid,
      cty: 'application/pdf',
    });
    expect(decodeProtectedHeader(container.encryptedAttachments.vollmacht!)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid,
      cty: 'image/png',
    });

    const keys = await testGatewayKeys();
    const opened = await openSealedMessage(container, {
      recipientKeys: demoJwk('dresden-gewerbeamt.encryption'),
      gatewayJwks: gatewayJwks(keys),
    });
    expect(decodeProtectedHeader(opened.signedMetadata)).toEqual({
      alg: 'PS512',
      kid: SIGNING_1,
      typ: 'JOSE',
      cty: 'application/json',
    });
  });

  it('signs once per message, whatever the number of attachments', async () => {
    const sign = vi.spyOn(webcrypto.subtle, 'sign');
    const many = Array.from({ length: 7 }, (_, i) => ({
      id: `anlage-${i}`,
      mediaType: 'application/pdf',
      filename: `a${i}.pdf`,
      content: Buffer.from(`pdf ${i}`),
    }));
    await seal({ attachments: many });
    expect(sign).toHaveBeenCalledTimes(1);
    sign.mockClear();
    await seal({ attachments: [] });
    expect(sign).toHaveBeenCalledTimes(1);
  });

  it('seals JSON data and a message without attachments', async () => {
    const json = JSON.stringify({ hello: 'Grüße' });
    const sealed = await seal({ data: { content: Buffer.from(json), mediaType: 'application/json' }, attachments: [] });
    expect(sealed.container.encryptedAttachments).toEqual({});
    expect(decodeProtectedHeader(sealed.container.encryptedData).cty).toBe('application/json');
    const keys = await testGatewayKeys();
    const opened = await openSealedMessage(sealed.container, {
      recipientKeys: demoJwk('dresden-gewerbeamt.encryption'),
      gatewayJwks: gatewayJwks(keys),
    });
    expect(opened.data.toString()).toBe(json);
    expect(opened.attachments.size).toBe(0);
  });

  it('refuses attachment ids that are unsafe or repeated', async () => {
    const a = { mediaType: 'text/plain', filename: 'x.txt', content: Buffer.from('x') };
    await expect(seal({ attachments: [{ ...a, id: '../x' }] })).rejects.toMatchObject({ code: 'internal' });
    await expect(seal({ attachments: [{ ...a, id: '__proto__' }] })).rejects.toMatchObject({ code: 'internal' });
    await expect(
      seal({
        attachments: [
          { ...a, id: 'x' },
          { ...a, id: 'x' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'internal' });
  });
});
