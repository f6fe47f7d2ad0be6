/**
 * Loads every mapping under `<dir>/<standard>/<version>/*.yaml` at start. Files whose name starts with `_`
 * hold fragments shared by the mappings of that folder. Every JSONata expression is compiled here, once
 * (the same text is compiled once even when fragments repeat it), so a syntax error stops start-up with
 * the file and element that hold it instead of failing a request later.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { configError } from '../../config/config-error.js';
import { checkConfigValue, readConfigFile, readYamlFile } from '../../config/read-yaml.js';
import { compileExpression, type CompiledExpression } from './expression.js';
import { compileJsonOutputSchema } from './json-output-schema.js';
import {
  fragmentFileSchema,
  jsonMappingFileSchema,
  mappingFileSchema,
  mappingFormatSchema,
  type JsonMappingFile,
  type MappingFile,
  type RawNode,
} from './mapping-file-schema.js';
import type {
  CompiledAttribute,
  JsonMapping,
  Mapping,
  MappingHead,
  MappingNode,
  MappingSet,
  XmlMapping,
} from './types.js';

interface LoadState {
  file: string;
  namespaces: Readonly<Record<string, string>>;
  fragments: ReadonlyMap<string, RawNode[]>;
  expressions: Map<string, CompiledExpression>;
}

export function loadMappings(dir: string): MappingSet {
  const mappings: Mapping[] = [];
  const expressions = new Map<string, CompiledExpression>();
  // mappings/inbound/ holds the mappings of received FIT-Connect data (sources/fitconnect), not of messages.
  for (const standard of subdirs(dir).filter((name) => name !== 'inbound')) {
    for (const version of subdirs(join(dir, standard))) {
      const versionDir = join(dir, standard, version);
      const files = readdirSync(versionDir)
        .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
        .sort();
      const fragments = new Map<string, RawNode[]>();
      for (const name of files.filter((n) => n.startsWith('_'))) {
        const file = join(versionDir, name);
        for (const [key, nodes] of Object.entries(readConfigFile(file, fragmentFileSchema).value.fragments)) {
          if (fragments.has(key))
            throw configError(file, ['fragments', key], 'a fragment of this name is defined twice');
          fragments.set(key, nodes);
        }
      }
      for (const name of files.filter((n) => !n.startsWith('_'))) {
        const file = join(versionDir, name);
        const { value } = readYamlFile(file);
        const raw =
          checkConfigValue(file, value, mappingFormatSchema).format === 'json'
            ? checkConfigValue(file, value, jsonMappingFileSchema)
            : checkConfigValue(file, value, mappingFileSchema);
        if (raw.standard !== standard || raw.version !== version) {
          throw configError(
            file,
            ['standard'],
            `says ${raw.standard} ${raw.version} but lies in ${standard}/${version}`,
          );
        }
        const state = { file, namespaces: {}, fragments, expressions };
        mappings.push(
          raw.format === 'json'
            ? compileJsonMapping(raw, state)
            : compileMapping(raw, { ...state, namespaces: raw.namespaces }),
        );
      }
    }
  }
  checkOverlaps(mappings);
  return { mappings };
}

function mappingHead(raw: MappingFile | JsonMappingFile, file: string): MappingHead {
  const attachments = Object.entries(raw.attachments ?? {});
  // A message the mapping does not produce is a typo that would otherwise leave its recipient every attachment.
  const unknown = attachments.find(([message]) => !raw.messages.includes(message));
  if (unknown)
    throw configError(
      file,
      ['attachments', unknown[0]],
      `names a message the mapping does not produce (it produces ${raw.messages.join(', ')})`,
    );
  return {
    name: basename(file).replace(/\.ya?ml$/, ''),
    file,
    standard: raw.standard,
    version: raw.version,
    services: raw.services,
    messages: raw.messages,
    attachments: new Map(attachments),
  };
}

function compileJsonMapping(raw: JsonMappingFile, state: LoadState): JsonMapping {
  const output = compileJsonOutputSchema(resolve(dirname(state.file), raw.schema), state.file);
  return {
    format: 'json',
    ...mappingHead(raw, state.file),
    body: compile(raw.body, state, `${state.file}: body`),
    schemaUri: output.schemaUri,
    schemaFile: output.schemaFile,
    validate: output.validate,
  };
}

function compileMapping(raw: MappingFile, state: LoadState): XmlMapping {
  if (!(raw.root.prefix in raw.namespaces))
    throw configError(state.file, ['root', 'prefix'], `prefix ${raw.root.prefix} is not in namespaces`);
  // The root's local name is the target message, known only per request; here it carries the namespace.
  const root: MappingNode = {
    element: { qname: raw.root.prefix + ':', namespace: raw.namespaces[raw.root.prefix] },
    attributes: compileAttributes(raw.root.attributes, state, 'root'),
    children: raw.root.children.map((child) => compileNode(child, state, '', [])),
    required: true,
    location: `${state.file}: root`,
  };
  return {
    format: 'xml',
    ...mappingHead(raw, state.file),
    namespaces: raw.namespaces,
    rootPrefix: raw.root.prefix,
    root,
  };
}

function compileNode(raw: RawNode, state: LoadState, parentPath: string, using: string[]): MappingNode {
  const path = `${parentPath}/${raw.element ?? `(use ${raw.use ?? ''})`}`;
  const location = `${state.file}: ${path}`;
  const expr = (source: string | undefined, key: string): CompiledExpression | undefined =>
    source === undefined ? undefined : compile(source, state, `${location} (${key})`);
  const node: MappingNode = {
    attributes: compileAttributes(raw.attributes, state, path),
    children: [],
    required: raw.required ?? false,
    location,
    ...opt('if', expr(raw.if, 'if')),
    ...opt('each', expr(raw.each, 'each')),
    ...opt('with', expr(raw.with, 'with')),
    ...opt('only', raw.only === undefined ? undefined : new Set(raw.only)),
    ...opt('pointer', raw.pointer),
  };
  if (raw.use !== undefined) {
    const fragment = state.fragments.get(raw.use);
    if (fragment === undefined) throw configError(state.file, [], `${path}: there is no fragment "${raw.use}"`);
    if (using.includes(raw.use)) throw configError(state.file, [], `${path}: fragment "${raw.use}" includes itself`);
    node.children = fragment.map((child) => compileNode(child, state, path, [...using, raw.use ?? '']));
    return node;
  }
  const qname = raw.element ?? '';
  const prefix = qname.includes(':') ? qname.slice(0, qname.indexOf(':')) : undefined;
  if (prefix !== undefined && !(prefix in state.namespaces))
    throw configError(state.file, [], `${path}: prefix ${prefix} is not in namespaces`);
  node.element = { qname, ...opt('namespace', prefix === undefined ? undefined : state.namespaces[prefix]) };
  Object.assign(node, opt('value', expr(raw.value, 'value')), opt('constant', raw.const));
  if (raw.code !== undefined) {
    const { list, version, value, const: constant, as, check } = raw.code;
    node.code = {
      list,
      as,
      check,
      ...opt('version', version),
      ...opt('value', expr(value, 'code')),
      ...opt('constant', constant),
    };
  }
  if (raw.attachment !== undefined) {
    const { id, mediaTypes } = raw.attachment;
    node.attachment = {
      id: compile(id, state, `${location} (attachment)`),
      ...opt('mediaTypes', mediaTypes === undefined ? undefined : new Set(mediaTypes)),
    };
  }
  if (raw.assert !== undefined) {
    node.assert = { test: compile(raw.assert.test, state, `${location} (assert)`), detail: raw.assert.detail };
  }
  node.children = (raw.children ?? []).map((child) => compileNode(child, state, path, using));
  return node;
}

function compileAttributes(raw: RawNode['attributes'], state: LoadState, path: string): CompiledAttribute[] {
  return Object.entries(raw ?? {}).map(([name, spec]) =>
    'value' in spec
      ? { name, value: compile(spec.value, state, `${state.file}: ${path}/@${name}`) }
      : { name, constant: spec.const },
  );
}

function compile(source: string, state: LoadState, where: string): CompiledExpression {
  const cached = state.expressions.get(source);
  if (cached !== undefined) return cached;
  try {
    const compiled = compileExpression(source);
    state.expressions.set(source, compiled);
    return compiled;
  } catch (e) {
    throw configError(
      state.file,
      [],
      `${where}: the expression ${JSON.stringify(source)} does not compile (${(e as Error).message})`,
    );
  }
}

/** Two mappings claiming the same service, standard and version would make the choice arbitrary. */
function checkOverlaps(mappings: Mapping[]): void {
  const seen = new Map<string, string>();
  for (const m of mappings) {
    for (const service of m.services) {
      const key = `${m.standard}/${m.version}/${service}`;
      const other = seen.get(key);
      if (other !== undefined)
        throw configError(m.file, ['services'], `service ${service} is already mapped by ${other}`);
      seen.set(key, m.file);
    }
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) throw configError(dir, [], 'the mappings folder does not exist');
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort();
}

/** `{ key: value }` when value is defined, `{}` otherwise: keeps optional properties absent, not undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
