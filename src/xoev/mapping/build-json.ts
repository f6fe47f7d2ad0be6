/**
 * Builds the JSON data of a service without an XÖV standard: the mapping's `body` expression over the
 * submission, checked against the mapping's schema. A result that does not meet it is `invalid-message`
 * (the data passed the service's schema, so the mapping and the delivered format disagree).
 */
import { AmtsboteError } from '../../lib/errors.js';
import type { CodeLists } from '../codelists/code-list.js';
import { findMapping, mappingBindings } from './build-message.js';
import { evaluate } from './expression.js';
import type { MappingContext, MappingSet, MessageTarget } from './types.js';

export interface BuiltJson {
  json: string;
  standard: string;
  version: string;
  message: string;
  /** The `$id` of the schema the data meet, named in the message's metadata. */
  schemaUri: string;
}

export async function buildJson(
  set: MappingSet,
  target: MessageTarget,
  context: MappingContext,
  codeLists: CodeLists,
): Promise<BuiltJson> {
  const mapping = findMapping(set, target, context.envelope.serviceKey);
  if (mapping.format !== 'json')
    throw new AmtsboteError('invalid-config', `${mapping.file} produces an XML message, not JSON`);
  let value: unknown;
  try {
    value = await evaluate(mapping.body, context.data, mappingBindings(target, context, codeLists));
  } catch (e) {
    throw new AmtsboteError('invalid-config', `mapping ${mapping.file} failed: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AmtsboteError('invalid-config', `mapping ${mapping.file}: body must give an object`);
  }
  // JSONata marks its sequences with extra properties; a round trip leaves plain JSON.
  const json = JSON.stringify(value);
  const problems = mapping.validate(JSON.parse(json));
  if (problems.length > 0) {
    throw new AmtsboteError(
      'invalid-message',
      `The delivered data of ${target.message} do not meet ${mapping.schemaUri}`,
      problems.map((p) => ({ pointer: '', detail: `the delivered data at ${p.pointer || '/'} ${p.detail}` })),
      { schemaSet: mapping.schemaUri },
    );
  }
  return {
    json,
    standard: target.standard,
    version: target.version,
    message: target.message,
    schemaUri: mapping.schemaUri,
  };
}
