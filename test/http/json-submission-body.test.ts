import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJsonBody, parseJsonSubmission } from '../../src/http/json-body.js';
import { decodeJsonAttachments } from '../../src/intake/attachments.js';
import { isAmtsboteError } from '../../src/lib/errors.js';
import type { EnvelopeAttachment } from '../../src/intake/envelope-schema.js';

/** The attachments of a parsed test body, as intake reads them (only id and content matter here). */
const attachmentsOf = (body: unknown) => (body as { attachments: EnvelopeAttachment[] }).attachments;

// Issue 19 F4: long base64 attachment content is decoded from the body's bytes, never parsed as a string.
// Whatever the body, the outcome must be the one of parsing it as text: the same value, or the same refusal.
const limits = { maxJsonDepth: 32, maxStringLength: 1024 };

function problem(run: () => unknown): { code: string; errors: unknown } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!isAmtsboteError(error)) throw error;
    return { code: error.code, errors: error.errors };
  }
}

describe('parseJsonSubmission', () => {
  it('decodes long base64 content to the bytes the text would decode to, and leaves short content as text', () => {
    const big = randomBytes(5000);
    const small = Buffer.from('%PDF-1.7 klein');
    const body = {
      serviceKey: 'x',
      note: 'say \\"hi\\" "quoted"',
      attachments: [
        { id: 'a', content: big.toString('base64') },
        { id: 'b', content: small.toString('base64') },
      ],
    };
    const { body: parsed, decoded } = parseJsonSubmission(Buffer.from(JSON.stringify(body)), limits);
    expect(decoded.size).toBe(1);
    const attachments = attachmentsOf(parsed);
    expect(attachments[1]!.content).toBe(small.toString('base64'));
    expect((parsed as typeof body).note).toBe(body.note);
    const contents = decodeJsonAttachments(attachments, decoded);
    expect(contents.get('a')?.equals(big)).toBe(true);
    expect(contents.get('b')?.equals(small)).toBe(true);
  });

  it('decodes every padding length and ignores quotes escaped before a long string', () => {
    for (const n of [3000, 3001, 3002]) {
      const bytes = randomBytes(n);
      const text = `{"x":"a\\\\","y":"\\"","attachments":[{"id":"a","content":"${bytes.toString('base64')}"}]}`;
      const { body, decoded } = parseJsonSubmission(Buffer.from(text), limits);
      expect((body as { x: string }).x).toBe('a\\');
      const contents = decodeJsonAttachments(attachmentsOf(body), decoded);
      expect(contents.get('a')?.equals(bytes)).toBe(true);
    }
  });

  it('refuses a long string outside attachment content, and a long key, as parsing the text does', () => {
    const long = randomBytes(3000).toString('base64');
    for (const text of [
      `{"data":{"note":"${long}"}}`,
      `{"${long}":1}`,
      `{"attachments":[{"id":"a","content":"${long}"}],"other":"${long}"}`,
    ]) {
      const expected = problem(() => parseJsonBody(Buffer.from(text), limits));
      expect(expected).toBeDefined();
      expect(problem(() => parseJsonSubmission(Buffer.from(text), limits))).toEqual(expected);
    }
  });

  it('parses long content that is not strict base64 as text, so that intake reports it as before', () => {
    const notStrict = randomBytes(3000).toString('base64url');
    const text = `{"attachments":[{"id":"a","content":"${notStrict}"}]}`;
    const { body, decoded } = parseJsonSubmission(Buffer.from(text), limits);
    expect(decoded.size).toBe(0);
    expect(body).toEqual(parseJsonBody(Buffer.from(text), limits));
    expect(problem(() => decodeJsonAttachments(attachmentsOf(body)))?.code).toBe('invalid-envelope');
  });

  it('reports malformed JSON and invalid UTF-8 as parsing the text does', () => {
    const long = randomBytes(3000).toString('base64');
    for (const raw of [
      Buffer.from(`{"attachments":[{"id":"a","content":"${long}"}]`),
      Buffer.concat([Buffer.from(`{"a":"\xff","c":"${long}"}`, 'latin1')]),
    ]) {
      const expected = problem(() => parseJsonBody(raw, limits));
      expect(expected?.code).toBe('invalid-json');
      expect(problem(() => parseJsonSubmission(raw, limits))?.code).toBe('invalid-json');
    }
  });
});
