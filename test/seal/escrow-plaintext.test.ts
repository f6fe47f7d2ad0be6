import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escrowPlaintext } from '../../src/seal/escrow/seal-escrow.js';
import type { EscrowSubmission } from '../../src/seal/index.js';

// The escrow plaintext (format 2, issue 19 F4): the copy's JSON with attachments described by their size, a
// line feed, then the attachments' bytes in order.
const text = fc.string({ unit: 'binary', maxLength: 30 });
const submission: fc.Arbitrary<EscrowSubmission> = fc.record({
  submissionId: fc.uuid(),
  receivedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  envelope: fc.record({
    serviceKey: text,
    regionKey: text,
    reference: fc.option(text, { nil: undefined }),
    test: fc.boolean(),
  }),
  data: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
  attachments: fc.array(
    fc.record(
      {
        id: text,
        filename: text,
        mediaType: text,
        purpose: fc.constantFrom('form', 'attachment', 'report'),
        content: fc.uint8Array({ maxLength: 200_000 }).map((b) => Buffer.from(b)),
      },
      { requiredKeys: ['id', 'filename', 'mediaType', 'content'] },
    ),
    { maxLength: 3 },
  ),
});

describe('the escrow plaintext', () => {
  it("is JSON.stringify of the copy with attachment sizes, a line feed, and the attachments' bytes", () => {
    fc.assert(
      fc.property(submission, (s) => {
        const head = JSON.stringify({
          format: 'amtsbote-escrow/2',
          submissionId: s.submissionId,
          receivedAt: s.receivedAt,
          envelope: s.envelope,
          data: s.data,
          // The purpose, where there is one, before the size; a copy without purposes reads as before.
          attachments: s.attachments.map((a) => ({
            id: a.id,
            filename: a.filename,
            mediaType: a.mediaType,
            ...(a.purpose === undefined ? {} : { purpose: a.purpose }),
            size: a.content.length,
          })),
        });
        const plaintext = escrowPlaintext(s);
        expect(plaintext.indexOf(0x0a)).toBe(Buffer.byteLength(head));
        expect(
          plaintext.equals(Buffer.concat([Buffer.from(`${head}\n`), ...s.attachments.map((a) => a.content)])),
        ).toBe(true);
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });
});
