/**
 * The JSONata expressions of an inbound mapping: compiled once at load (a syntax error refuses the file with its
 * pointer), evaluated per submission with the received data as the context item, `$metadata` (FIT-Connect's
 * metadata), `$attachments` (id, mediaType, purpose, filename of each) and the helpers below bound.
 */
import jsonata from 'jsonata';

export interface CompiledInboundExpression {
  source: string;
  expression: jsonata.Expression;
}

export function compileInboundExpression(source: string): CompiledInboundExpression {
  return { source, expression: jsonata(source) };
}

const digitsOnly = /^\d+$/;

/**
 * Helpers for turning XÖV text back into the JSON the services take. Each gives back what it cannot convert
 * unchanged, so the service's JSON Schema names the field (`must be integer`) instead of a silent omission.
 */
export const inboundFunctions: Readonly<Record<string, (value: unknown) => unknown>> = {
  /** `02091986` (XGewerbeanzeige's geburtsdatum, TTMMJJJJ) → `1986-09-02`. */
  isoDate: (value) =>
    typeof value === 'string' && /^\d{8}$/.test(value)
      ? `${value.slice(4, 8)}-${value.slice(2, 4)}-${value.slice(0, 2)}`
      : value,
  /** Code list janein: `1` → true, `0` → false. */
  bool: (value) => (value === '1' ? true : value === '0' ? false : value),
  /** `6` → 6 for counts; XML text is always a string. */
  int: (value) => (typeof value === 'string' && digitsOnly.test(value) && value.length < 16 ? Number(value) : value),
  /** The text of an element, also when it carries attributes (then the parser gives `{'#text': …}`). */
  text: (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && '#text' in value
      ? (value as Record<string, unknown>)['#text']
      : value,
};

/**
 * Evaluates; a JSONata error (a function given the wrong type by the data) is returned, not thrown. Its message
 * may quote a value of the data (personal data), so only its code is kept.
 */
export async function evaluateInbound(
  compiled: CompiledInboundExpression,
  item: unknown,
  bindings: Record<string, unknown>,
): Promise<{ value: unknown } | { error: string }> {
  try {
    return { value: await compiled.expression.evaluate(item, { ...inboundFunctions, ...bindings }) };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { error: typeof code === 'string' ? `JSONata error ${code}` : 'the expression failed' };
  }
}
