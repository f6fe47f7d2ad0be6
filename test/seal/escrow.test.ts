import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { openEscrow } from '../../src/seal/escrow/open-escrow.js';
import { escrowPlaintextPieces, sealEscrow } from '../../src/seal/escrow/seal-escrow.js';
import { encryptCompactJwe } from '../../src/seal/lib/compact-jwe.js';
import type { EscrowSubmission } from '../../src/seal/escrow/types.js';
import { escrowKeyFor } from '../../src/seal/gateway-keys/select-key.js';
import type { GatewayKeys } from '../../src/seal/gateway-keys/types.js';
import { ESCROW_1, ESCROW_2, testGatewayKeys } from './fixtures.js';

let keys: GatewayKeys;

const submission: EscrowSubmission = {
  submissionId: 'a7d1c0de-0000-4000-8000-000000000001',
  receivedAt: '2026-11-25T10:14:59.000Z',
  envelope: {
    serviceKey: '99050012104000',
    regionKey: '147130000000',
    reference: 'PORTAL-42',
    test: false,
    payment: { method: 'giropay', status: 'booked' },
  },
  data: { betrieb: { name: 'Marker-Bäckerei Müller' }, person: { familyName: 'Marker-Schmidt' } },
  attachments: [
    {
      id: 'ausweis',
      filename: 'Ausweis.pdf',
      mediaType: 'application/pdf',
      purpose: 'attachment',
      content: Buffer.from('%PDF ausweis'),
    },
    {
      id: 'plan',
      filename: 'Plan.png',
      mediaType: 'image/png',
      purpose: 'report',
      content: Buffer.from([0, 1, 2, 255]),
    },
    // Without a purpose, as copies written before purposes existed: it opens without one.
    { id: 'antrag', filename: 'Antrag.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF antrag') },
  ],
};

beforeAll(async () => {
  keys = await testGatewayKeys();
});

describe('escrow copy', () => {
  it('seals the validated submission to the escrow key and opens it again', async () => {
    const jwe = await sealEscrow(submission, escrowKeyFor(keys, ESCROW_1));
    expect(decodeProtectedHeader(jwe)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: ESCROW_1,
      cty: 'application/vnd.amtsbote.escrow-2',
      sub: submission.submissionId,
    });
    expect(jwe).not.toContain('Marker');
    const opened = await openEscrow(jwe, keys.escrow, { expectedSubmissionId: submission.submissionId });
    expect(opened).toEqual(submission);
    // The purposes survive, so a message sealed again selects attachments as at intake.
    expect(opened.attachments.map((a) => a.purpose)).toEqual(['attachment', 'report', undefined]);
    expect('purpose' in opened.attachments[2]!).toBe(false);
  });

  // Issue 19 F4: copies are written in format 2 (attachments as bytes after the JSON); those sealed before,
  // in format 1 (base64 in the JSON), stay in the stores and must open to the same submission.
  it('opens a copy sealed in format 1, with base64 attachments in the JSON', async () => {
    const key = escrowKeyFor(keys, ESCROW_1);
    const plaintext = Buffer.from(
      JSON.stringify({
        format: 'amtsbote-escrow/1',
        submissionId: submission.submissionId,
        receivedAt: submission.receivedAt,
        envelope: submission.envelope,
        data: submission.data,
        attachments: submission.attachments.map((a) => ({
          id: a.id,
          filename: a.filename,
          mediaType: a.mediaType,
          ...(a.purpose === undefined ? {} : { purpose: a.purpose }),
          content: a.content.toString('base64'),
        })),
      }),
      'utf8',
    );
    const jwe = encryptCompactJwe(
      { length: plaintext.length, pieces: [plaintext] },
      { kid: key.kid, cty: 'application/vnd.amtsbote.escrow+json', sub: submission.submissionId },
      key.publicKey,
    );
    expect(await openEscrow(jwe, keys.escrow, { expectedSubmissionId: submission.submissionId })).toEqual(submission);
  });

  it('refuses a format 2 copy whose attachment sizes do not add up', async () => {
    const key = escrowKeyFor(keys, ESCROW_1);
    const { pieces } = escrowPlaintextPieces(submission);
    const short = Buffer.concat(pieces).subarray(0, -1);
    const jwe = encryptCompactJwe(
      { length: short.length, pieces: [short] },
      { kid: key.kid, cty: 'application/vnd.amtsbote.escrow-2', sub: submission.submissionId },
      key.publicKey,
    );
    await expect(openEscrow(jwe, keys.escrow)).rejects.toMatchObject({ extensions: { reason: 'escrow-invalid' } });
  });

  it('cannot be opened without its escrow key (shredded period)', async () => {
    const jwe = await sealEscrow(submission, escrowKeyFor(keys, ESCROW_2));
    const withoutKey2 = new Map([[ESCROW_1, escrowKeyFor(keys, ESCROW_1)]]);
    await expect(openEscrow(jwe, withoutKey2)).rejects.toMatchObject({
      code: 'invalid-config',
      extensions: { reason: 'escrow-key-missing', kid: ESCROW_2 },
    });
  });

  it('is bound to its submission and refuses changes', async () => {
    const jwe = await sealEscrow(submission, escrowKeyFor(keys, ESCROW_1));
    await expect(openEscrow(jwe, keys.escrow, { expectedSubmissionId: 'another' })).rejects.toMatchObject({
      extensions: { reason: 'escrow-invalid' },
    });
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, 10) + (parts[3]![10] === 'A' ? 'B' : 'A') + parts[3]!.slice(11);
    await expect(openEscrow(parts.join('.'), keys.escrow)).rejects.toMatchObject({
      extensions: { reason: 'escrow-invalid' },
    });
    // Claiming another submission in the header breaks the authenticated header.
    const header = { ...decodeProtectedHeader(jwe), sub: 'another' };
    const moved = [Buffer.from(JSON.stringify(header)).toString('base64url'), ...jwe.split('.').slice(1)].join('.');
    await expect(openEscrow(moved, keys.escrow)).rejects.toMatchObject({ extensions: { reason: 'escrow-invalid' } });
    await expect(openEscrow('garbage', keys.escrow)).rejects.toMatchObject({
      extensions: { reason: 'escrow-invalid' },
    });
  });
});
