/**
 * Checks one string against a DIN 91379 datatype. It runs on every string of every submission, so the
 * common case is a single precompiled regex test; locating the offending character is only done on failure.
 * The input must already be NFC (see normalize.ts): like the official XSD types, decomposed text is refused.
 */
import { combiningMarks, datatypeNames, datatypes, type Din91379Datatype } from './datatypes.js';

export interface TextProblem {
  detail: string;
}

export function checkText(value: string, datatype: Din91379Datatype): TextProblem | null {
  const compiled = datatypes[datatype];
  if (compiled.plain.test(value) || compiled.full.test(value)) return null;
  return { detail: describeFirstOffence(value, datatype) };
}

function describeFirstOffence(value: string, datatype: Din91379Datatype): string {
  const unit = datatypes[datatype].unit;
  let index = 0;
  let position = 1;
  while (index < value.length) {
    unit.lastIndex = index;
    if (!unit.test(value)) break;
    // Count code points, not UTF-16 units, so the position matches what a person sees.
    for (const _ of value.slice(index, unit.lastIndex)) position++;
    index = unit.lastIndex;
  }
  const cp = value.codePointAt(index) ?? 0;
  const code = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const what = combiningMarks.has(cp)
    ? `${code} (a combining mark, allowed only within the letter sequences DIN 91379 lists)`
    : code;
  return `character ${position} is ${what}, which DIN 91379 datatype ${datatype} (${datatypeNames[datatype]}) does not allow`;
}
