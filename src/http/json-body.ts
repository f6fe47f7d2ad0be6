import { AmtsboteError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a request body as UTF-8 JSON and bounds its nesting, before anything looks at the content. */
export function parseJsonBody(raw: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AmtsboteError('invalid-json', 'The body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AmtsboteError('invalid-json', `The body is not valid JSON: ${(e as Error).message}`);
  }
  const depth = jsonDepth(value, maxDepth);
  if (depth > maxDepth) throw new AmtsboteError('invalid-json', `The JSON is nested deeper than ${maxDepth} levels.`);
  return value;
}

/** Depth of a parsed JSON value, counted iteratively and stopping once past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}
