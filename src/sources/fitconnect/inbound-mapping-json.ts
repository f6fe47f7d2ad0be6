/**
 * Reads received JSON data: UTF-8 only, parsed with JSON.parse (which creates `__proto__` as an own member, so no
 * prototype is touched). The parser's message quotes the input, which may be personal data: only the position
 * it names is kept. The size bound is checked by the caller before anything is decoded.
 */
import type { InboundIssue } from './inbound-mapping-types.js';

export type JsonReadResult =
  { ok: true; value: unknown } | { ok: false; reason: 'data-syntax'; errors: InboundIssue[] };

export function readInboundJson(bytes: Buffer): JsonReadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'data-syntax', errors: [{ pointer: '', detail: 'is not UTF-8 text' }] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const position = /position (\d+)/.exec((e as Error).message)?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    return { ok: false, reason: 'data-syntax', errors: [{ pointer: '', detail: `is not valid JSON${where}` }] };
  }
}
