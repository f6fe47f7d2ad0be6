import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escrowPlaintext } from '../../src/seal/escrow/seal-escrow.js';
import type { EscrowSubmission } from '../../src/seal/index.js';

// The escrow plaintext is written into one buffer (issue 19, F4); it must stay the very text that
// JSON.stringify gave, so that copies sealed before and after open alike.
const text = fc.string({ unit: 'binary', maxLength: 30 });
const submission: fc.Arbitrary<EscrowSubmission> = fc.record({
  submissionId: fc.uuid(),
  receivedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  envelope: fc.record({ serviceKey: text, regionKey: text, reference: fc.option(text, { nil: undefined }), test: fc.boolean() }),
  data: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
  attachments: fc.array(
    fc.record(
      { id: text, filename: text, mediaType: text, purpose: fc.constantFrom('form', 'attachment', 'report'), content: fc.uint8Array({ maxLength: 200_000 }).map((b) => Buffer.from(b)) },
      { requiredKeys: ['id', 'filename', 'mediaType', 'content'] },
    ),
    { maxLength: 3 },
  ),
});

describe('the escrow plaintext', () => {
  it('is byte for byte JSON.stringify of the copy with base64 attachment content', () => {
    fc.assert(
      fc.property(submission, (s) => {
        const expected = JSON.stringify({
          format: 'amtsbote-escrow/1',
          submissionId: s.submissionId,
          receivedAt: s.receivedAt,
          envelope: s.envelope,
          data: s.data,
          // The purpose, where there is one, before the content; a copy without purposes reads as before.
          attachments: s.attachments.map((a) => ({ id: a.id, filename: a.filename, mediaType: a.mediaType, ...(a.purpose === undefined ? {} : { purpose: a.purpose }), content: a.content.toString('base64') })),
        });
        expect(escrowPlaintext(s).toString('utf8')).toBe(expected);
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });

  it('encodes attachments across the piece boundary (49 152 bytes) without padding in between', () => {
    const content = Buffer.from(Array.from({ length: 3 * 16 * 1024 * 2 + 1 }, (_, i) => (i * 31) % 256));
    const s: EscrowSubmission = { submissionId: 's', receivedAt: 'r', envelope: { serviceKey: 'k', regionKey: 'r' }, data: {}, attachments: [{ id: 'a', filename: 'f', mediaType: 'm', content }] };
    const parsed = JSON.parse(escrowPlaintext(s).toString('utf8')) as { attachments: { content: string }[] };
    expect(Buffer.from(parsed.attachments[0]!.content, 'base64').equals(content)).toBe(true);
  });
});
