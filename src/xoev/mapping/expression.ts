/**
 * Mapping expressions are JSONata 2, compiled once when the mappings load. Most expressions in a mapping
 * are plain paths (`business.address.street`, `$data.persons`); those are recognised from the AST and
 * (a) give the JSON pointer of the input field, so errors can name it, and (b) are read directly from the
 * object, skipping JSONata's asynchronous evaluation — falling back to JSONata as soon as a step meets an
 * array, where JSONata's mapping semantics apply.
 */
import jsonata from 'jsonata';
import { joinPointer } from '../../lib/errors.js';

/** A path of property names from the context item (`root: ''`) or from a bound variable (`root: 'data'`). */
export interface PathRef {
  root: string;
  steps: readonly string[];
}

export interface CompiledExpression {
  source: string;
  /** Set when the whole expression is a plain path. */
  path?: PathRef;
  /** Set when the expression is a call of a bound function on one plain path, e.g. `$janein(business.sideline)`. */
  call?: { name: string; argument: PathRef };
  /** The one plain path the expression reads, when there is exactly one: used for the pointer only. */
  pointerPath?: PathRef;
  jsonata: jsonata.Expression;
}

/** JSON pointers of the bound variables that come from the request body. */
export const variablePointers: Readonly<Record<string, string>> = { data: '/data', envelope: '' };

export function compileExpression(source: string): CompiledExpression {
  const expression = jsonata(source);
  const ast = expression.ast() as unknown as Ast;
  const path = asPath(ast);
  const call = asCall(ast);
  const paths = new Map<string, PathRef>();
  collectPaths(ast, paths);
  const only = paths.size === 1 ? [...paths.values()][0] : undefined;
  return {
    source,
    jsonata: expression,
    ...(path !== undefined ? { path } : {}),
    ...(call !== undefined ? { call } : {}),
    ...(path !== undefined ? { pointerPath: path } : only !== undefined ? { pointerPath: only } : {}),
  };
}

/** The part of JSONata's AST this reads (its bundled typings lack `path`, `stages`, `predicate`). */
interface Ast {
  type: string;
  value?: unknown;
  steps?: Ast[];
  procedure?: Ast;
  arguments?: Ast[];
  stages?: unknown;
  predicate?: unknown;
  group?: unknown;
}

function asPath(node: Ast): PathRef | undefined {
  if (
    node.type === 'variable' &&
    typeof node.value === 'string' &&
    node.predicate === undefined &&
    node.stages === undefined
  ) {
    // `$` is the context item; a bare bound variable (`$author`, `$data`) is a path with no steps, so its
    // pointer is the variable's (none for configuration such as `$author`, `/data` for `$data`).
    return { root: node.value, steps: [] };
  }
  if (node.type !== 'path' || node.steps === undefined) return undefined;
  const steps: string[] = [];
  let root = '';
  for (const [i, step] of node.steps.entries()) {
    const s = step;
    if (s.stages !== undefined || s.predicate !== undefined || s.group !== undefined) return undefined;
    if (i === 0 && s.type === 'variable' && typeof s.value === 'string' && s.value !== '') root = s.value;
    else if (s.type === 'name' && typeof s.value === 'string') steps.push(s.value);
    else return undefined;
  }
  return { root, steps };
}

function asCall(node: Ast): { name: string; argument: PathRef } | undefined {
  if (node.type !== 'function' || node.procedure?.type !== 'variable' || typeof node.procedure.value !== 'string')
    return undefined;
  const [only, ...more] = node.arguments ?? [];
  const argument = only === undefined || more.length > 0 ? undefined : asPath(only);
  return argument === undefined ? undefined : { name: node.procedure.value, argument };
}

function collectPaths(node: unknown, into: Map<string, PathRef>): void {
  if (node === null || typeof node !== 'object') return;
  const path = asPath(node as Ast);
  if (path !== undefined && (path.steps.length > 0 || path.root === '')) {
    if (path.root === '' || path.root in variablePointers) into.set(`${path.root}:${path.steps.join('.')}`, path);
    return;
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const v of value) collectPaths(v, into);
    else collectPaths(value, into);
  }
}

export type Bindings = Record<string, unknown>;

/** Evaluates against the context item; synchronous for plain paths over objects. */
export function evaluate(expr: CompiledExpression, item: unknown, bindings: Bindings): unknown {
  if (expr.path !== undefined) {
    const value = readPath(expr.path, item, bindings);
    if (value !== notDirect) return value;
  } else if (expr.call !== undefined) {
    // Our own helper functions on a plain path (`$janein(x)`): called directly, as JSONata would call them.
    const fn = bindings[expr.call.name];
    const argument = typeof fn === 'function' ? readPath(expr.call.argument, item, bindings) : notDirect;
    if (typeof fn === 'function' && argument !== notDirect && !Array.isArray(argument))
      return (fn as (a: unknown) => unknown)(argument);
  }
  return expr.jsonata.evaluate(item, bindings);
}

const notDirect = Symbol('not a direct read');

function readPath(path: PathRef, item: unknown, bindings: Bindings): unknown {
  let current: unknown = path.root === '' ? item : bindings[path.root];
  for (const step of path.steps) {
    if (current === undefined || current === null) return undefined;
    if (typeof current !== 'object' || Array.isArray(current)) return notDirect;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * The pointer an expression's value came from, given the pointer of the context item; undefined where
 * the value does not come from the request body (or the engine cannot tell).
 */
export function pointerOf(path: PathRef | undefined, itemPointer: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const base = path.root === '' ? itemPointer : variablePointers[path.root];
  return base === undefined ? undefined : base + joinPointer(...path.steps);
}
