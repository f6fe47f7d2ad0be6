/**
 * The XÖV layer as one library with no HTTP or storage knowledge: load mappings, code lists and schema
 * sets once at start (`loadXoev`), then turn a validated submission into a validated message for one
 * destination (`produceMessage`). Everything expensive — YAML, JSONata compilation, XSD compilation —
 * happens in `loadXoev`; a request only evaluates, writes and validates.
 */
import { existsSync } from 'node:fs';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import type { CodeLists } from './codelists/code-list.js';
import { findCodeList } from './codelists/lookup.js';
import { loadCodeLists } from './codelists/load-code-lists.js';
import { buildJson } from './mapping/build-json.js';
import { buildMessage, findMapping } from './mapping/build-message.js';
import { loadMappings } from './mapping/load-mappings.js';
import type { AttachmentSelection, MappingContext, MappingNode, MappingSet, MessageTarget } from './mapping/types.js';
import { acquireSchemaSet, releaseSchemaSet } from './xsd/shared-schema-sets.js';
import { findSchemaSet } from './xsd/find-schema-set.js';
import type { SchemaSet, XsdIssue } from './xsd/schema-set.js';
import { validateXml } from './xsd/validate-xml.js';

export { checkText, type TextProblem } from './din91379/check-text.js';
export { normalizeNfc } from './din91379/normalize.js';
export { addDin91379Keyword, din91379Keyword, din91379KeywordName } from './din91379/ajv-keyword.js';
export { compileJsonSchema } from './json-schema/compile-json-schema.js';
export { type Din91379Datatype } from './din91379/datatypes.js';
export { loadCodeLists } from './codelists/load-code-lists.js';
export { codeName, findCodeList, hasCode } from './codelists/lookup.js';
export type { CodeList, CodeLists } from './codelists/code-list.js';
export { loadMappings } from './mapping/load-mappings.js';
export { buildMessage, findMapping, type BuiltMessage } from './mapping/build-message.js';
export { agsInRegion } from './mapping/functions.js';
export { buildJson, type BuiltJson } from './mapping/build-json.js';
export { selectAttachments } from './mapping/select-attachments.js';
export type {
  AttachmentSelection,
  Authority,
  Erreichbarkeit,
  JsonMapping,
  Mapping,
  MappingAttachment,
  MappingContext,
  MappingSet,
  MessageTarget,
  PostalAddress,
} from './mapping/types.js';
export { validateXml } from './xsd/validate-xml.js';
export { compileSchemaSet, disposeSchemaSet } from './xsd/compile-schema-set.js';
export { acquireSchemaSet, releaseSchemaSet } from './xsd/shared-schema-sets.js';
export { findSchemaSet, type SchemaDirs } from './xsd/find-schema-set.js';
export { installSchemaSet } from './install/install-schema-set.js';
export { installCodeList } from './install/install-code-list.js';
export type { SchemaSet, XsdIssue, XsdValidationResult } from './xsd/schema-set.js';

export interface XoevOptions {
  /** `mappings/`: `<standard>/<version>/<mapping>.yaml`. */
  mappingsDir: string;
  /** `xsd/`: Amtsbote's own profiles, `<standard>/<version>/`. */
  xsdDir: string;
  /** `config/codelists/`: genericode files. */
  codelistsDir: string;
  /** Operator-installed official code lists (`amtsbote codelists add`); they replace the excerpts. */
  installedCodelistsDir?: string;
  /** Operator-installed official schema sets, `<standard>/<version>/<set name>/`; they take precedence. */
  officialSchemasDir?: string;
}

export interface Xoev {
  mappings: MappingSet;
  codeLists: CodeLists;
  /** Compiled schema sets by `<standard>/<version>`. */
  schemaSets: ReadonlyMap<string, SchemaSet>;
  /** Frees the compiled schemas (WASM memory); call on shutdown. */
  close(): void;
}

export interface ProducedMessage {
  /** The message: XÖV XML, or the JSON data of a service without an XÖV standard. */
  content: string;
  mediaType: 'application/xml' | 'application/json';
  standard: string;
  version: string;
  message: string;
  /** Which schema set validated the message (for JSON data: the URI of their JSON Schema), for the metadata. */
  schemaSet: string;
  /** Which of the submission's attachments travel with this message: the mapping's `attachments` for the message. */
  attachments: AttachmentSelection;
}

export function loadXoev(options: XoevOptions): Xoev {
  const installed = options.installedCodelistsDir;
  const codeLists = loadCodeLists(
    options.codelistsDir,
    ...(installed !== undefined && existsSync(installed) ? [installed] : []),
  );
  const mappings = loadMappings(options.mappingsDir);
  checkCodeListsLoaded(mappings, codeLists);
  const schemaSets = new Map<string, SchemaSet>();
  try {
    for (const m of mappings.mappings) {
      if (m.format !== 'xml') continue;
      const key = `${m.standard}/${m.version}`;
      if (schemaSets.has(key)) continue;
      const dirs = {
        xsdDir: options.xsdDir,
        ...(options.officialSchemasDir !== undefined ? { officialSchemasDir: options.officialSchemasDir } : {}),
      };
      // Shared with the inbound mappings and with the set a reload loads next (xsd/shared-schema-sets.ts).
      schemaSets.set(key, acquireSchemaSet(findSchemaSet(dirs, m.standard, m.version)));
    }
  } catch (e) {
    schemaSets.forEach(releaseSchemaSet);
    throw e;
  }
  return {
    mappings,
    codeLists,
    schemaSets,
    close: () => {
      schemaSets.forEach(releaseSchemaSet);
      schemaSets.clear();
    },
  };
}

/**
 * Maps the submission for one destination and validates the result. Throws AmtsboteError:
 * `invalid-data` (a code not in its list, a required field empty; with pointers), `invalid-message`
 * (the XML does not validate; with the XML path and, where the mapping knows it, the input's pointer),
 * `invalid-config` (no mapping for this target, a mapping bug).
 */
export async function produceMessage(
  xoev: Xoev,
  target: MessageTarget,
  context: MappingContext,
): Promise<ProducedMessage> {
  const mapping = findMapping(xoev.mappings, target, context.envelope.serviceKey);
  const attachments = mapping.attachments.get(target.message) ?? 'all';
  if (mapping.format === 'json') {
    const data = await buildJson(xoev.mappings, target, context, xoev.codeLists);
    return {
      content: data.json,
      mediaType: 'application/json',
      standard: data.standard,
      version: data.version,
      message: data.message,
      schemaSet: data.schemaUri,
      attachments,
    };
  }
  const built = await buildMessage(xoev.mappings, target, context, xoev.codeLists);
  const set = xoev.schemaSets.get(`${target.standard}/${target.version}`);
  if (set === undefined)
    throw new AmtsboteError('invalid-config', `no schema set loaded for ${target.standard} ${target.version}`);
  const result = validateXml(set, built.xml);
  if (!result.valid) {
    const located = result.errors.map((issue) => ({ ...issue, pointer: pointerFor(issue, built.pointers) }));
    const errors: FieldError[] = located.map((e) => ({
      pointer: e.pointer ?? '',
      detail: `the message element ${e.xmlPath ?? '(unknown)'} does not validate: ${e.message}`,
    }));
    throw new AmtsboteError(
      'invalid-message',
      `The generated ${target.message} does not validate against ${set.id}`,
      errors,
      {
        schemaSet: set.id,
        xmlErrors: located,
      },
    );
  }
  return {
    content: built.xml,
    mediaType: 'application/xml',
    standard: built.standard,
    version: built.version,
    message: built.message,
    schemaSet: set.id,
    attachments,
  };
}

/** The pointer of the element in error, or of its nearest ancestor that has one. */
function pointerFor(issue: XsdIssue, pointers: ReadonlyMap<string, string>): string | undefined {
  for (let path = issue.xmlPath; path !== undefined && path.length > 1; path = path.slice(0, path.lastIndexOf('/'))) {
    const pointer = pointers.get(path);
    if (pointer !== undefined) return pointer;
  }
  return undefined;
}

/** A mapping that checks codes against a list nobody installed fails at start, not on the first request. */
function checkCodeListsLoaded(mappings: MappingSet, codeLists: CodeLists): void {
  const missing = new Set<string>();
  const visit = (node: MappingNode): void => {
    if (node.code?.check === true && findCodeList(codeLists, node.code.list, node.code.version) === undefined) {
      missing.add(
        `${node.code.list}${node.code.version === undefined ? '' : ` version ${node.code.version}`} (${node.location})`,
      );
    }
    node.children.forEach(visit);
  };
  for (const m of mappings.mappings) if (m.format === 'xml') visit(m.root);
  if (missing.size > 0)
    throw new AmtsboteError('invalid-config', `code lists used by mappings are not loaded: ${[...missing].join('; ')}`);
}
