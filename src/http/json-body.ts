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
export function parseJsonBody(raw: Buffer, limits: JsonLimits): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AmtsboteError('invalid-json', 'The body is not valid UTF-8.', [{ pointer: '', detail: 'not valid UTF-8' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AmtsboteError('invalid-json', `The body is not valid JSON: ${(e as Error).message}`, [{ pointer: '', detail: 'not valid JSON' }]);
  }
  checkJsonShape(value, limits);
  return value;
}

const attachmentContent = /^\/attachments\/\d+\/content$/;

/** Walks a parsed JSON value iteratively (no recursion to overflow) and stops at the first breach. */
export function checkJsonShape(value: unknown, limits: JsonLimits): void {
  const stack: [unknown, number, string][] = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, pointer] = stack.pop() as [unknown, number, string];
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength && !attachmentContent.test(pointer)) {
        throw new AmtsboteError('invalid-json', `A string is longer than ${limits.maxStringLength} characters.`, [{ pointer, detail: `at most ${limits.maxStringLength} characters` }]);
      }
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxJsonDepth) {
      throw new AmtsboteError('invalid-json', `The JSON is nested deeper than ${limits.maxJsonDepth} levels.`, [{ pointer, detail: `nested deeper than ${limits.maxJsonDepth} levels` }]);
    }
    for (const [key, child] of Object.entries(node)) {
      const childPointer = `${pointer}/${pointerToken(key)}`;
      if (key.length > limits.maxStringLength) {
        throw new AmtsboteError('invalid-json', `A key is longer than ${limits.maxStringLength} characters.`, [{ pointer, detail: 'a key is too long' }]);
      }
      stack.push([child, depth + 1, childPointer]);
    }
  }
}
