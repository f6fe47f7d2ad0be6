/**
 * A service definition's assertions, compiled once at load so a syntax error refuses the configuration
 * (naming file and assertion) instead of failing a request.
 */
import jsonata from 'jsonata';
import { configError } from './config-error.js';
import type { ServiceAssertion } from './service-schema.js';

export interface CompiledAssertion extends ServiceAssertion {
  expression: jsonata.Expression;
}

export function compileAssertions(assertions: readonly ServiceAssertion[], file: string): CompiledAssertion[] {
  return assertions.map((assertion, i) => {
    try {
      return { ...assertion, expression: jsonata(assertion.test) };
    } catch (e) {
      throw configError(file, ['assertions', i, 'test'], `does not compile: ${(e as Error).message}`);
    }
  });
}
