/**
 * Builds one XÖV message for one destination: picks the mapping for the service and target, evaluates it,
 * and writes the XML. Problems with the data are `invalid-data` (422, each with the field's pointer);
 * problems of the mapping or configuration are `invalid-config`.
 */
import { AmtsboteError } from '../../lib/errors.js';
import type { CodeLists } from '../codelists/code-list.js';
import { findCodeList } from '../codelists/lookup.js';
import type { BuiltElement } from './built-element.js';
import { buildNodes, type BuildState } from './build-tree.js';
import { evaluate, type Bindings } from './expression.js';
import { mappingFunctions } from './functions.js';
import { indexPointers } from './pointer-index.js';
import { serialize } from './serialize.js';
import type { Mapping, MappingContext, MappingSet, MessageTarget } from './types.js';

export interface BuiltMessage {
  xml: string;
  standard: string;
  version: string;
  message: string;
  /** The mapping file's name, e.g. `gewerbeanmeldung`. */
  mapping: string;
  /** XML path (as libxml2 reports it) → JSON pointer of the input field, for XSD errors. */
  pointers: ReadonlyMap<string, string>;
}

export function findMapping(set: MappingSet, target: MessageTarget, serviceKey: string): Mapping {
  const mapping = set.mappings.find(
    (m) => m.standard === target.standard && m.version === target.version && m.services.includes(serviceKey),
  );
  if (mapping === undefined) {
    throw new AmtsboteError(
      'invalid-config',
      `no mapping for service ${serviceKey} to ${target.standard} ${target.version}`,
    );
  }
  if (!mapping.messages.includes(target.message)) {
    throw new AmtsboteError(
      'invalid-config',
      `${mapping.file} does not produce ${target.message} (it produces ${mapping.messages.join(', ')}): ` +
        'this recipient class is not entitled to these data, or the mapping lacks it',
    );
  }
  return mapping;
}

/** What every expression of a mapping may read: helper functions and the message's context. */
export function mappingBindings(target: MessageTarget, context: MappingContext, codeLists: CodeLists): Bindings {
  const [recipient = ''] = target.message.split('.');
  return {
    ...mappingFunctions,
    // The newest loaded version of a list, for listVersionID where the list is known only at run time.
    listVersion: (uri: unknown) => (typeof uri === 'string' ? findCodeList(codeLists, uri)?.version : undefined),
    data: context.data,
    envelope: context.envelope,
    message: context.message,
    region: context.region,
    author: context.author,
    reader: context.reader,
    product: context.product,
    submission: context.submission ?? { id: context.message.id },
    target: { ...target, recipient, typeCode: target.message.split('.').at(-1) ?? '' },
  };
}

export async function buildMessage(
  set: MappingSet,
  target: MessageTarget,
  context: MappingContext,
  codeLists: CodeLists,
): Promise<BuiltMessage> {
  const mapping = findMapping(set, target, context.envelope.serviceKey);
  if (mapping.format !== 'xml')
    throw new AmtsboteError('invalid-config', `${mapping.file} produces JSON, not an XML message`);
  const [recipient = ''] = target.message.split('.');
  const bindings = mappingBindings(target, context, codeLists);
  const state: BuildState = {
    bindings,
    recipient,
    codeLists,
    attachments: context.attachments ?? new Map(),
    dataErrors: [],
    configErrors: [],
  };
  const scope = { item: context.data, pointer: '/data' };

  const root: BuiltElement = {
    qname: `${mapping.rootPrefix}:${target.message}`,
    ...(mapping.root.element?.namespace !== undefined ? { namespace: mapping.root.element.namespace } : {}),
    attributes: [],
    children: await buildNodes(mapping.root.children, scope, state),
  };
  for (const attribute of mapping.root.attributes) {
    const value =
      attribute.constant ??
      (attribute.value === undefined ? undefined : await evaluate(attribute.value, context.data, bindings));
    if ((typeof value === 'string' && value !== '') || typeof value === 'number')
      root.attributes.push([attribute.name, String(value)]);
    else if (value !== undefined)
      throw new AmtsboteError('invalid-config', `${mapping.file}: root attribute ${attribute.name} is not a text`);
  }

  if (state.configErrors.length > 0) {
    throw new AmtsboteError('invalid-config', `mapping ${mapping.file} failed: ${state.configErrors.join('; ')}`);
  }
  if (state.dataErrors.length > 0) {
    throw new AmtsboteError(
      'invalid-data',
      `The data cannot be mapped to ${target.standard} ${target.version} ${target.message}`,
      state.dataErrors,
      { standard: target.standard, version: target.version, message: target.message },
    );
  }
  return {
    xml: serialize(root, mapping.namespaces),
    standard: target.standard,
    version: target.version,
    message: target.message,
    mapping: mapping.name,
    pointers: indexPointers(root),
  };
}
