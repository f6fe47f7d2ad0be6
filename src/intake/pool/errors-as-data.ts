import { AmtsboteError, InternalError, type FieldError, type ProblemCode } from '../../lib/errors.js';

/**
 * An error as it crosses a thread: the parts of an AmtsboteError a problem document is made of. Structured
 * clone keeps neither the class nor custom members of an Error, so errors travel as data and are rebuilt.
 */
export type ErrorData =
  | {
      kind: 'amtsbote';
      code: ProblemCode;
      message: string;
      errors: FieldError[];
      extensions: Record<string, unknown>;
    }
  /** Anything else is the gateway's fault: only the class travels, a message may quote input. */
  | { kind: 'other'; errorClass: string };

export function errorAsData(error: unknown): ErrorData {
  if (error instanceof AmtsboteError) {
    return {
      kind: 'amtsbote',
      code: error.code,
      message: error.message,
      errors: error.errors,
      extensions: error.extensions,
    };
  }
  return { kind: 'other', errorClass: error instanceof Error ? error.name : typeof error };
}

/** The error again, with the same code, message, field errors and extensions: the same problem document. */
export function errorFromData(data: ErrorData): AmtsboteError {
  if (data.kind === 'amtsbote') return new AmtsboteError(data.code, data.message, data.errors, data.extensions);
  return new InternalError();
}
