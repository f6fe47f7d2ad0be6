#!/usr/bin/env node
// Writes docs/sealed-reply-vectors.json, the test vectors of docs/sealed-reply.md, once: JWE encryption and PSS
// signatures are randomised, so the vectors are fixed files that the tests open on every run
// (test/portal-kit/vectors.test.ts), not outputs to reproduce. Uses the committed DEVELOPMENT-ONLY keys of
// test/fixtures/keys/ and the built kits: run `npm run build && node scripts/generate-reply-vectors.mjs`.
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompactSign } from 'jose';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildReply } = await import(join(root, 'dist/src/receiver/index.js'));
const { countersignReply, importSigningKey } = await import(join(root, 'dist/src/seal/index.js'));

const key = (name) =>
  JSON.parse(readFileSync(join(root, `test/fixtures/keys/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'));
const publicHalf = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

const portalReply = key('portal-reply-1');
const otherRecipient = key('recipient-encryption');
const receipt = key('recipient-receipt-signing');
const gateway1 = key('gateway-signing-1');
const gateway2 = key('gateway-signing-2');
const signingKey = (jwk) => importSigningKey(createPrivateKey({ key: jwk, format: 'jwk' }), jwk.kid, jwk.kid);
const gatewayKey1 = await signingKey(gateway1);
const gatewayKey2 = await signingKey(gateway2);
const destinationKey = { kid: receipt.kid, key: createPublicKey({ key: receipt, format: 'jwk' }) };

const message = {
  metadata: {
    submissionId: '3f0e8a52-6d1b-4c2e-9f7a-2b8c4d6e0a11',
    messageId: '6f1c2a7e-1b1d-4c8e-9a55-0f0c7b9b1a01',
    destinationId: 'dresden-gewerbeamt',
  },
};
const notice = Buffer.from(
  JSON.stringify({ aktenzeichen: 'GA-2026-0815', betreff: 'Gewerbeanmeldung bestätigt', gültigAb: '2026-12-07' }),
  'utf8',
);
const pdf = Buffer.from(
  '%PDF-1.4\n% Bescheid (Testvektor)\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n',
);
const request = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<nachforderung><unterlage>Gewerbezentralregisterauszug für Jürgen Groß</unterlage></nachforderung>\n',
  'utf8',
);
const receivedAt = new Date('2026-12-07T10:15:30.000Z');

/** A reply as the gateway forwards it: the destination's reply, countersigned (or forged where a vector says). */
async function fetched(built, { seq, gatewayKey = gatewayKey1, countersignDestinationKey = destinationKey } = {}) {
  const { countersignature } = await countersignReply(
    {
      replyId: built.metadata.replyId,
      submissionId: built.metadata.submissionId,
      seq,
      destinationId: built.metadata.destinationId,
      receivedAt,
      signedMetadata: built.reply.signedMetadata,
      destinationKey: countersignDestinationKey,
    },
    gatewayKey,
  );
  return {
    format: 'amtsbote-reply/1',
    replyId: built.metadata.replyId,
    submissionId: built.metadata.submissionId,
    seq,
    kind: built.metadata.kind,
    receivedAt: receivedAt.toISOString(),
    signedMetadata: built.reply.signedMetadata,
    countersignature,
    encryptedData: built.reply.encryptedData,
    encryptedAttachments: built.reply.encryptedAttachments,
  };
}

const build = (options) =>
  buildReply({ message, replyKey: publicHalf(portalReply), signingJwk: receipt, now: receivedAt, ...options });

const noticeOptions = {
  replyId: 'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a51',
  kind: 'notice',
  data: {
    content: notice,
    mediaType: 'application/json',
    schemaUri: 'https://amtsbote.dev/schemas/replies/bescheid/1.json',
  },
  attachments: [
    { id: 'bescheid.pdf', filename: 'Bescheid GA-2026-0815.pdf', mediaType: 'application/pdf', content: pdf },
  ],
};
const noticeReply = await build(noticeOptions);
const requestReply = await build({
  replyId: 'a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a52',
  kind: 'request',
  data: { content: request, mediaType: 'application/xml', schemaUri: 'urn:amtsbote:replies:nachforderung:1' },
});
const expect = (built, seq, attachments) => ({
  replyId: built.metadata.replyId,
  submissionId: built.metadata.submissionId,
  seq,
  kind: built.metadata.kind,
  destinationId: built.metadata.destinationId,
  destinationKeyThumbprint: undefined,
  metadata: built.metadata,
  dataBase64: undefined,
  attachments,
});

const vectors = [];
const good = await fetched(noticeReply, { seq: 1 });
vectors.push({
  name: 'notice-with-pdf',
  reply: good,
  expect: {
    ...expect(noticeReply, 1),
    dataBase64: notice.toString('base64'),
    attachments: {
      'bescheid.pdf': {
        filename: 'Bescheid GA-2026-0815.pdf',
        mediaType: 'application/pdf',
        contentBase64: pdf.toString('base64'),
      },
    },
  },
});
vectors.push({
  name: 'request-xml-no-attachments',
  reply: await fetched(requestReply, { seq: 2 }),
  expect: { ...expect(requestReply, 2), dataBase64: request.toString('base64'), attachments: {} },
});

// One character of the countersignature's signature changed (the first: its bits all count).
const sig = good.countersignature.split('.');
sig[2] = (sig[2][0] === 'A' ? 'B' : 'A') + sig[2].slice(1);
vectors.push({
  name: 'refused-tampered-countersignature',
  reply: { ...good, countersignature: sig.join('.') },
  expectError: { code: 'signature-invalid', part: 'countersignature' },
});
vectors.push({
  name: 'refused-unpinned-gateway-key',
  reply: await fetched(noticeReply, { seq: 1, gatewayKey: gatewayKey2 }),
  expectError: { code: 'unknown-signing-key', part: 'countersignature' },
});
// The destination's metadata swapped for the other reply's (validly signed by the same destination).
vectors.push({
  name: 'refused-tampered-metadata',
  reply: { ...good, signedMetadata: requestReply.reply.signedMetadata },
  expectError: { code: 'signed-metadata-mismatch', part: 'countersignature' },
});
// A countersignature whose thumbprint is not the destination key's.
const payload = JSON.parse(Buffer.from(good.countersignature.split('.')[1], 'base64url').toString('utf8'));
const wrongThumbprint = await new CompactSign(
  Buffer.from(JSON.stringify({ ...payload, destinationKeyThumbprint: 'A'.repeat(43) }), 'utf8'),
)
  .setProtectedHeader({ alg: 'PS512', kid: gatewayKey1.kid, typ: 'JOSE', cty: 'application/json' })
  .sign(gatewayKey1.privateKey);
vectors.push({
  name: 'refused-thumbprint-mismatch',
  reply: { ...good, countersignature: wrongThumbprint },
  expectError: { code: 'thumbprint-mismatch', part: 'countersignature' },
});
// Metadata signed with another key under the destination key's kid, countersigned as if it were the destination's.
const forged = await build({ ...noticeOptions, signingJwk: { ...gateway2, kid: receipt.kid } });
vectors.push({
  name: 'refused-metadata-not-by-destination',
  reply: await fetched(forged, { seq: 1 }),
  expectError: { code: 'signature-invalid', part: 'metadata' },
});
// The attachment's JWE replaced by an encryption of other bytes to the same key.
const otherPdf = await build({
  ...noticeOptions,
  attachments: [{ ...noticeOptions.attachments[0], content: Buffer.concat([pdf, Buffer.from('% geändert\n')]) }],
});
vectors.push({
  name: 'refused-tampered-attachment',
  reply: { ...good, encryptedAttachments: otherPdf.reply.encryptedAttachments },
  expectError: { code: 'hash-mismatch', part: 'attachment:bescheid.pdf' },
});
// Encrypted to a key that is not the portal's (every signature and hash consistent).
const wrongKey = await build({ ...noticeOptions, replyKey: publicHalf(otherRecipient) });
vectors.push({
  name: 'refused-wrong-key',
  reply: await fetched(wrongKey, { seq: 1 }),
  expectError: { code: 'no-recipient-key', part: 'data' },
});

for (const v of vectors) {
  if (v.expect) {
    v.expect.destinationKeyThumbprint = JSON.parse(
      Buffer.from(v.reply.countersignature.split('.')[1], 'base64url').toString('utf8'),
    ).destinationKeyThumbprint;
  }
}

const document = {
  comment:
    'Test vectors of docs/sealed-reply.md (amtsbote-reply/1). DEVELOPMENT-ONLY keys: published, never use them for real replies. Written by scripts/generate-reply-vectors.mjs.',
  keys: {
    portalReplyPrivateJwk: portalReply,
    portalReplyPublicJwk: publicHalf(portalReply),
    gatewayJwks: { keys: [gatewayKey1.publicJwk] },
    destinationReceiptPublicJwk: publicHalf(receipt),
  },
  vectors,
};
writeFileSync(join(root, 'docs/sealed-reply-vectors.json'), JSON.stringify(document, null, 2) + '\n');
console.log(`wrote docs/sealed-reply-vectors.json (${vectors.length} vectors)`);
