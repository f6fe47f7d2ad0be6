import type { Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { ATTACHMENT_ID } from '../receiver/format.js';
import { AmtsboteError, isAmtsboteError } from '../lib/errors.js';
import { type JsonLimits, parseJsonBody } from './json-body.js';

export interface MultipartSubmission {
  body: unknown;
  parts: Map<string, Buffer>;
}

/**
 * Streams a multipart/form-data submission: a part `submission` with the envelope (JSON), one part per
 * attachment named by its id. Limits are enforced while reading, so an oversized upload stops early.
 */
export function readMultipartSubmission(
  req: Request,
  body: Readable,
  limits: JsonLimits & { maxBodyBytes: number; maxAttachments: number },
): Promise<MultipartSubmission> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: {
          fileSize: limits.maxBodyBytes,
          fieldSize: limits.maxBodyBytes,
          files: limits.maxAttachments + 1,
          fields: 1,
          parts: limits.maxAttachments + 1,
        },
      });
    } catch {
      reject(
        new AmtsboteError('invalid-envelope', 'The multipart body has no valid boundary.', [
          { pointer: '', detail: 'Content-Type names no valid multipart boundary' },
        ]),
      );
      return;
    }
    const parts = new Map<string, Buffer>();
    let envelope: Buffer | undefined;
    let total = 0;
    let failed: AmtsboteError | undefined;
    const fail = (error: AmtsboteError) => {
      if (!failed) failed = error;
    };
    const truncated = (name: string) =>
      new AmtsboteError(
        'invalid-envelope',
        `The multipart body ends inside the part "${name.slice(0, 64)}", before its closing boundary.`,
        [
          {
            pointer: name === 'submission' ? '' : '/attachments',
            detail: "the body ends before the part's closing boundary",
          },
        ],
      );
    const tooLarge = () => new AmtsboteError('payload-too-large', `The body exceeds ${limits.maxBodyBytes} bytes.`);

    parser.on('field', (name, value, info) => {
      if (name !== 'submission') {
        fail(
          new AmtsboteError(
            'invalid-envelope',
            `Unexpected form field "${name.slice(0, 64)}"; attachments must be file parts.`,
            [{ pointer: '', detail: 'only the part "submission" may be a form field' }],
          ),
        );
        return;
      }
      if (info.valueTruncated) {
        fail(tooLarge());
        return;
      }
      envelope = Buffer.from(value, 'utf8');
    });
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      // A part that ends with the body (no closing boundary) fails here before the parser reports it;
      // without this listener that error would end the process.
      stream.on('error', () => {
        fail(truncated(name));
      });
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxBodyBytes) fail(tooLarge());
        else if (!failed) chunks.push(chunk);
      });
      stream.on('limit', () => {
        fail(tooLarge());
      });
      stream.on('close', () => {
        if (failed) return;
        const content = Buffer.concat(chunks);
        if (name === 'submission') envelope = content;
        // Reserved ids (`..`, `__proto__`) pass here and meet the envelope's rule (isAttachmentId) instead, so
        // the answer points at the envelope entry; a part the envelope does not list is refused after that.
        else if (!ATTACHMENT_ID.test(name))
          fail(
            new AmtsboteError('invalid-attachment', `Part name "${name.slice(0, 64)}" is not a valid attachment id.`, [
              { pointer: '/attachments', detail: 'a part name is not a valid attachment id' },
            ]),
          );
        else if (parts.has(name))
          fail(
            new AmtsboteError('invalid-attachment', `Part "${name}" was sent twice.`, [
              { pointer: '/attachments', detail: `duplicate part "${name}"` },
            ]),
          );
        else parts.set(name, content);
      });
    });
    parser.on('filesLimit', () => {
      fail(new AmtsboteError('payload-too-large', `At most ${limits.maxAttachments} attachment parts are accepted.`));
    });
    parser.on('partsLimit', () => {
      fail(new AmtsboteError('payload-too-large', `At most ${limits.maxAttachments} attachment parts are accepted.`));
    });
    parser.on('error', () => {
      fail(
        new AmtsboteError('invalid-envelope', 'The multipart body is malformed or ends before its closing boundary.', [
          { pointer: '', detail: 'malformed or truncated multipart body' },
        ]),
      );
      settle();
    });
    parser.on('close', () => {
      settle();
    });
    // The bounded body fails with its own problem (too large, stalled, connection lost): that one is the answer.
    body.on('error', (error) => {
      failed = isAmtsboteError(error)
        ? error
        : new AmtsboteError('invalid-envelope', 'The body could not be read to its end.', [
            { pointer: '', detail: 'the body could not be read' },
          ]);
      body.unpipe(parser);
      parser.destroy();
      settle();
    });

    let settled = false;
    function settle() {
      if (settled) return;
      settled = true;
      if (failed) {
        reject(failed);
        return;
      }
      if (!envelope) {
        reject(
          new AmtsboteError('invalid-envelope', 'The multipart body has no part "submission".', [
            { pointer: '', detail: 'part "submission" is missing' },
          ]),
        );
        return;
      }
      try {
        resolve({ body: parseJsonBody(envelope, limits), parts });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    body.pipe(parser);
  });
}
