/**
 * Evaluates a compiled mapping against one message context and yields the element tree. The rules:
 * an optional element whose value is empty is left out; a required one that ends up empty is an error
 * naming the input field; a mapped code must be in its code list; everything is collected, so a portal
 * learns about all problems at once. Each element remembers the JSON pointer of the field it came from.
 */
import type { FieldError } from '../../lib/errors.js';
import type { CodeLists } from '../codelists/code-list.js';
import { findCodeList } from '../codelists/lookup.js';
import type { BuiltElement } from './built-element.js';
import { evaluate, variablePointers, type Bindings, type CompiledExpression } from './expression.js';
import type { MappingAttachment, MappingNode } from './types.js';

export interface BuildState {
  bindings: Bindings;
  /** Recipient class of the target message (`alg`, `sta`, …), matched against `only`. */
  recipient: string;
  codeLists: CodeLists;
  /** The submission's attachments by id, for `attachment:` nodes. */
  attachments: ReadonlyMap<string, MappingAttachment>;
  /** Problems with the submitted data: each has the pointer of the field. */
  dataErrors: FieldError[];
  /** Problems of the mapping or configuration (no input field to blame). */
  configErrors: string[];
}

export interface Scope {
  item: unknown;
  /** Pointer of the context item; undefined when it does not come from the request body. */
  pointer: string | undefined;
}

export async function buildNodes(
  nodes: readonly MappingNode[],
  scope: Scope,
  state: BuildState,
): Promise<BuiltElement[]> {
  const out: BuiltElement[] = [];
  for (const node of nodes) out.push(...(await buildNode(node, scope, state)));
  return out;
}

async function buildNode(node: MappingNode, scope: Scope, state: BuildState): Promise<BuiltElement[]> {
  if (node.only !== undefined && !node.only.has(state.recipient)) return [];
  const scopes = await expandScopes(node, scope, state);
  const out: BuiltElement[] = [];
  let considered = 0;
  for (const s of scopes) {
    if (node.if !== undefined && !truthy(await evaluate(node.if, s.item, state.bindings))) continue;
    considered++;
    if (node.assert !== undefined && !truthy(await evaluate(node.assert.test, s.item, state.bindings))) {
      const pointer = fieldPointer(node, s);
      if (pointer === undefined) state.configErrors.push(`${node.location}: ${node.assert.detail}`);
      else state.dataErrors.push({ pointer, detail: node.assert.detail });
    }
    if (node.element === undefined) {
      out.push(...(await buildNodes(node.children, s, state)));
    } else {
      const element = await buildElement(node, s, state);
      if (element !== undefined) out.push(element);
    }
  }
  // Required means: present whenever the node applies (its `if` holds, or it has no `if`).
  if (node.required && out.length === 0 && (scopes.length === 0 || considered > 0)) {
    // With no scope at all, the `each`/`with` path is the missing field.
    const scopeExpr = node.each ?? node.with;
    const missing =
      scopes.length === 0 && scopeExpr !== undefined ? sourcePointer(scopeExpr, scope.pointer) : undefined;
    const pointer = missing === null ? undefined : (missing ?? fieldPointer(node, scopes[0] ?? scope));
    const name = node.element?.qname ?? 'a required part';
    if (pointer === undefined) state.configErrors.push(`${node.location}: required ${name} is empty`);
    else state.dataErrors.push({ pointer, detail: `is required (it becomes ${localName(name)})` });
  }
  return out;
}

/** `each` yields one scope per item, `with` one scope for its value (none when empty), else the scope itself. */
async function expandScopes(node: MappingNode, scope: Scope, state: BuildState): Promise<Scope[]> {
  const expr = node.each ?? node.with;
  if (expr === undefined) return [scope];
  const value = await evaluate(expr, scope.item, state.bindings);
  if (isEmpty(value)) return [];
  const base = sourcePointer(expr, scope.pointer);
  const pointer = base === null ? undefined : (base ?? scope.pointer);
  if (node.each !== undefined && Array.isArray(value)) {
    return (value as unknown[]).map((item, i) => ({
      item,
      pointer: base === undefined || pointer === undefined ? pointer : `${pointer}/${i}`,
    }));
  }
  return [{ item: value, pointer }];
}

async function buildElement(node: MappingNode, scope: Scope, state: BuildState): Promise<BuiltElement | undefined> {
  const element = node.element;
  if (element === undefined) return undefined;
  const pointer = fieldPointer(node, scope);
  const built: BuiltElement = {
    qname: element.qname,
    ...(element.namespace !== undefined ? { namespace: element.namespace } : {}),
    attributes: [],
    children: [],
    ...(pointer !== undefined ? { pointer } : {}),
  };

  if (node.constant !== undefined) {
    built.text = node.constant;
  } else if (node.value !== undefined) {
    const text = toText(await evaluate(node.value, scope.item, state.bindings), node, pointer, state);
    if (text === undefined) return undefined;
    built.text = text;
  } else if (node.code !== undefined) {
    if (!(await buildCode(node, scope, built, state))) return undefined;
  } else if (node.attachment !== undefined) {
    const text = await attachmentText(node, scope, pointer, state);
    if (text === undefined) return undefined;
    built.text = text;
  } else {
    built.children = await buildNodes(node.children, scope, state);
    if (built.children.length === 0) return undefined;
    // A container stands for its context item only if some child came from it; a container of
    // configuration values (the message header) blames no input field.
    if (pointer !== undefined && !built.children.some((c) => c.pointer?.startsWith(pointer) === true))
      delete built.pointer;
  }

  for (const attribute of node.attributes) {
    const value =
      attribute.constant ??
      (attribute.value === undefined
        ? undefined
        : toText(await evaluate(attribute.value, scope.item, state.bindings), node, pointer, state));
    if (value !== undefined) built.attributes.push([attribute.name, value]);
  }
  return built;
}

/** Writes a code: `<code>` child plus listURI/listVersionID, or the code's name as text (`as: name`). */
async function buildCode(node: MappingNode, scope: Scope, built: BuiltElement, state: BuildState): Promise<boolean> {
  const code = node.code;
  if (code === undefined) return false;
  const value =
    code.constant ??
    (code.value === undefined
      ? undefined
      : toText(await evaluate(code.value, scope.item, state.bindings), node, built.pointer, state));
  if (value === undefined) return false;
  const list = findCodeList(state.codeLists, code.list, code.version);
  if (code.check) {
    if (list === undefined) {
      state.configErrors.push(
        `${node.location}: code list ${code.list}${code.version === undefined ? '' : ` version ${code.version}`} is not loaded`,
      );
      return false;
    }
    if (!list.codes.has(value)) {
      const problem = `is not a code of the list ${list.uri} (version ${list.version})`;
      if (built.pointer === undefined) state.configErrors.push(`${node.location}: "${value}" ${problem}`);
      else state.dataErrors.push({ pointer: built.pointer, detail: problem });
      return false;
    }
  }
  if (code.as === 'name') {
    const name = list?.codes.get(value);
    if (name === undefined) {
      state.configErrors.push(`${node.location}: code list ${code.list} has no name for a code`);
      return false;
    }
    built.text = name;
    return true;
  }
  built.children = [
    {
      qname: 'code',
      attributes: [],
      children: [],
      text: value,
      ...(built.pointer !== undefined ? { pointer: built.pointer } : {}),
    },
  ];
  built.attributes.push(['listURI', code.list]);
  const version = code.version ?? list?.version;
  if (version !== undefined) built.attributes.push(['listVersionID', version]);
  return true;
}

/**
 * The base64 content of the attachment whose id the node's expression gives. An id that names no attachment
 * of the submission, or one of a media type the element cannot carry, is refused at the id's field.
 */
async function attachmentText(
  node: MappingNode,
  scope: Scope,
  pointer: string | undefined,
  state: BuildState,
): Promise<string | undefined> {
  const spec = node.attachment;
  if (spec === undefined) return undefined;
  const id = toText(await evaluate(spec.id, scope.item, state.bindings), node, pointer, state);
  if (id === undefined) return undefined;
  const refuse = (detail: string): undefined => {
    if (pointer === undefined) state.configErrors.push(`${node.location}: attachment "${id}" ${detail}`);
    else state.dataErrors.push({ pointer, detail });
    return undefined;
  };
  const attachment = state.attachments.get(id);
  if (attachment === undefined) {
    refuse(`names no attachment of the submission (no attachment has the id "${id}")`);
    return;
  }
  if (spec.mediaTypes !== undefined && !spec.mediaTypes.has(attachment.mediaType)) {
    refuse(`names an attachment of type ${attachment.mediaType}; it must be ${[...spec.mediaTypes].join(' or ')}`);
    return;
  }
  if (attachment.content.byteLength === 0) {
    refuse('names an empty attachment');
    return;
  }
  return Buffer.from(attachment.content.buffer, attachment.content.byteOffset, attachment.content.byteLength).toString(
    'base64',
  );
}

/**
 * Pointer of the field an element came from: explicit `pointer`, else the plain path its value reads,
 * else the context item's. Undefined when the value comes from configuration, not from the request.
 */
function fieldPointer(node: MappingNode, scope: Scope): string | undefined {
  if (node.pointer !== undefined) return node.pointer;
  if (node.constant !== undefined || node.code?.constant !== undefined) return undefined;
  const expr = node.value ?? node.code?.value ?? node.attachment?.id;
  const source = expr === undefined ? undefined : sourcePointer(expr, scope.pointer);
  if (source === null) return undefined;
  return source ?? scope.pointer;
}

/** Pointer from an expression's single plain path; null when that path starts at a configuration variable. */
function sourcePointer(expr: CompiledExpression, itemPointer: string | undefined): string | null | undefined {
  const path = expr.pointerPath;
  if (path === undefined) return undefined;
  const base = path.root === '' ? itemPointer : variablePointers[path.root];
  if (base === undefined) return path.root === '' ? undefined : null;
  return base + path.steps.map((s) => '/' + s.replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

// Characters XML 1.0 cannot carry at all; DIN 91379 already keeps them out of checked fields.
const notXmlChar =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function toText(value: unknown, node: MappingNode, pointer: string | undefined, state: BuildState): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'boolean') text = String(value);
  else {
    state.configErrors.push(
      `${node.location}: the expression gives ${Array.isArray(value) ? 'a list' : typeof value}, not a text (use each, or $join)`,
    );
    return undefined;
  }
  if (text.trim() === '') return undefined;
  if (notXmlChar.test(text)) {
    if (pointer === undefined) state.configErrors.push(`${node.location}: contains a character XML cannot carry`);
    else state.dataErrors.push({ pointer, detail: 'contains a character XML cannot carry' });
    return undefined;
  }
  return text;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}
