import { randomBytes } from 'node:crypto';
import { AmtsboteError, pointerToken } from '../lib/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface JsonLimits {
  maxJsonDepth: number;
  maxStringLength: number;
}

/**
 * Parses a request body as UTF-8 JSON and bounds its nesting and string lengths, before anything looks at
 * the content. Base64 attachment content (`/attachments/<i>/content`) is bounded by the body size alone.
 */
export function parseJsonBody(raw: Buffer, limits: JsonLimits, placeholders?: ReadonlyMap<string, unknown>): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AmtsboteError('invalid-json', 'The body is not valid UTF-8.', [
      { pointer: '', detail: 'not valid UTF-8' },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AmtsboteError('invalid-json', `The body is not valid JSON: ${(e as Error).message}`, [
      { pointer: '', detail: 'not valid JSON' },
    ]);
  }
  checkJsonShape(value, limits, placeholders);
  return value;
}

const attachmentContent = /^\/attachments\/\d+\/content$/;

/** A JSON body whose long base64 strings were decoded while it was read. */
export interface JsonSubmissionBody {
  body: unknown;
  /** The bytes of each long base64 string, by the text that stands in `body` in its place. */
  decoded: Map<string, Buffer>;
}

const quote = 0x22;
const backslash = 0x5c;
const base64Bytes = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') base64Bytes[c.charCodeAt(0)] = 1;
/** Base64 text decoded per step (a multiple of 4): small strings, not one of the whole attachment. */
const decodeStep = 4 * 16 * 1024;

/**
 * Parses a JSON submission as `parseJsonBody` does, except that a string longer than `maxStringLength`
 * that is strict base64 (attachment content, the only place such a string is admitted) is decoded straight
 * from the body's bytes and stands in the parsed value as a short placeholder, which `decoded` maps to its
 * bytes. Parsed as text, a 23 MB body was the body, its text and its base64 strings at once — three times
 * the body before the attachments were even decoded (issue 19, F4). A long string elsewhere, or one that is
 * not strict base64, is parsed as text and refused or reported exactly as before.
 */
export function parseJsonSubmission(raw: Buffer, limits: JsonLimits): JsonSubmissionBody {
  const decoded = new Map<string, Buffer>();
  const nonce = randomBytes(9).toString('base64url');
  const kept: Buffer[] = [];
  let from = 0;
  for (let open = raw.indexOf(quote); open >= 0;) {
    // The closing quote is the next one not escaped by an odd number of backslashes.
    let close = raw.indexOf(quote, open + 1);
    while (close >= 0 && escaped(raw, close)) close = raw.indexOf(quote, close + 1);
    if (close < 0) break;
    if (close - open - 1 > limits.maxStringLength && isStrictBase64(raw, open + 1, close)) {
      const placeholder = `amtsbote-decoded:${nonce}:${decoded.size}`;
      decoded.set(placeholder, decodeBase64(raw, open + 1, close));
      kept.push(raw.subarray(from, open + 1), Buffer.from(placeholder, 'latin1'));
      from = close;
    }
    open = raw.indexOf(quote, close + 1);
  }
  if (decoded.size === 0) return { body: parseJsonBody(raw, limits), decoded };
  kept.push(raw.subarray(from));
  const body = parseJsonBody(Buffer.concat(kept), limits, decoded);
  return { body, decoded };
}

function escaped(raw: Buffer, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && raw[i] === backslash; i--) n++;
  return n % 2 === 1;
}

/** As `decodeJsonAttachments` checks base64 text: a multiple of 4, the standard alphabet, `=` only at the end. */
function isStrictBase64(raw: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length % 4 !== 0) return false;
  let last = end;
  if (raw[last - 1] === 0x3d) last--;
  if (raw[last - 1] === 0x3d) last--;
  for (let i = start; i < last; i++) if (base64Bytes[raw[i] as number] !== 1) return false;
  return true;
}

function decodeBase64(raw: Buffer, start: number, end: number): Buffer {
  const length = end - start;
  const padding = (raw[end - 1] === 0x3d ? 1 : 0) + (raw[end - 2] === 0x3d ? 1 : 0);
  const out = Buffer.allocUnsafe((length / 4) * 3 - padding);
  let at = 0;
  for (let i = start; i < end; i += decodeStep)
    at += out.write(raw.toString('latin1', i, Math.min(i + decodeStep, end)), at, 'base64');
  return out.subarray(0, at);
}

/** Walks a parsed JSON value iteratively (no recursion to overflow) and stops at the first breach. */
export function checkJsonShape(value: unknown, limits: JsonLimits, placeholders?: ReadonlyMap<string, unknown>): void {
  const stack: [unknown, number, string][] = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, pointer] = stack.pop() as [unknown, number, string];
    if (typeof node === 'string') {
      // A placeholder stands for a string longer than the limit.
      if (
        (node.length > limits.maxStringLength || placeholders?.has(node) === true) &&
        !attachmentContent.test(pointer)
      ) {
        throw new AmtsboteError('invalid-json', `A string is longer than ${limits.maxStringLength} characters.`, [
          { pointer, detail: `at most ${limits.maxStringLength} characters` },
        ]);
      }
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxJsonDepth) {
      throw new AmtsboteError('invalid-json', `The JSON is nested deeper than ${limits.maxJsonDepth} levels.`, [
        { pointer, detail: `nested deeper than ${limits.maxJsonDepth} levels` },
      ]);
    }
    for (const [key, child] of Object.entries(node)) {
      const childPointer = `${pointer}/${pointerToken(key)}`;
      if (key.length > limits.maxStringLength || placeholders?.has(key) === true) {
        throw new AmtsboteError('invalid-json', `A key is longer than ${limits.maxStringLength} characters.`, [
          { pointer, detail: 'a key is too long' },
        ]);
      }
      stack.push([child, depth + 1, childPointer]);
    }
  }
}
