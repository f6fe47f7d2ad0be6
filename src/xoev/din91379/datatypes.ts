/**
 * DIN 91379:2022-08 datatypes A, B and C as compiled regular expressions, built once from the generated
 * character data. Which groups make up which datatype follows the official KoSIT datatypes
 * (`din-norm-91379-datatypes.xsd`): A = letters + N1, B = A + N2, C = B + N3 + N4 (only C admits TAB, LF, CR).
 * Combining marks are legal only inside the enumerated letter sequences, never after an arbitrary letter.
 */
import { normativeCharacters, normativeSequences } from './characters.generated.js';

export type Din91379Datatype = 'A' | 'B' | 'C';

export const datatypeNames: Record<Din91379Datatype, string> = {
  A: 'names of natural persons',
  B: 'other names',
  C: 'free text',
};

const { bll, bnlreq, bnl, bnlopt, bnlnot } = normativeCharacters;
const members: Record<Din91379Datatype, readonly number[]> = {
  A: [...bll, ...bnlreq],
  B: [...bll, ...bnlreq, ...bnl],
  C: [...bll, ...bnlreq, ...bnl, ...bnlopt, ...bnlnot],
};

const escape = (cp: number): string => `\\u{${cp.toString(16)}}`;
const charClass = (cps: readonly number[]): string => `[${cps.map(escape).join('')}]`;
// Longest first, so that a three-code-point sequence is preferred to its two-code-point prefix.
const sequences = [...normativeSequences]
  .sort((a, b) => b.length - a.length)
  .map((seq) => seq.map(escape).join(''))
  .join('|');

export interface CompiledDatatype {
  /** Fast path: only single characters, which is nearly every real input. */
  plain: RegExp;
  /** Full check including the enumerated sequences. */
  full: RegExp;
  /** One unit (sequence or character) at `lastIndex`, to locate the first offending character. */
  unit: RegExp;
}

function compile(cps: readonly number[]): CompiledDatatype {
  const cls = charClass(cps);
  return {
    plain: new RegExp(`^${cls}*$`, 'u'),
    full: new RegExp(`^(?:${sequences}|${cls})*$`, 'u'),
    unit: new RegExp(`(?:${sequences}|${cls})`, 'uy'),
  };
}

export const datatypes: Record<Din91379Datatype, CompiledDatatype> = {
  A: compile(members.A),
  B: compile(members.B),
  C: compile(members.C),
};

/** Code points of the combining diacritics (group dc), for a precise error message. */
export const combiningMarks: ReadonlySet<number> = new Set(normativeCharacters.dc);

export function isDatatype(value: unknown): value is Din91379Datatype {
  return value === 'A' || value === 'B' || value === 'C';
}
