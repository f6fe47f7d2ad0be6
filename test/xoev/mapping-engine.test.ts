import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { XmlDocument } from 'libxml2-wasm';
import { describe, it, expect } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import { buildMessage, loadCodeLists, loadMappings, type MappingContext } from '../../src/xoev/index.js';
import { compileExpression, evaluate } from '../../src/xoev/mapping/expression.js';
import { mappingFunctions } from '../../src/xoev/mapping/functions.js';

const service = '99999999999999';

const mappingYaml = `
standard: teststd
version: "1"
services: ["${service}"]
messages: [abc.test.0001, xyz.test.0002]
namespaces:
  t: "urn:test"
root:
  prefix: t
  attributes:
    produkt: { value: $product.name }
    fix: { const: 1 }
    test: { value: "$envelope.test ? '1'" }
  children:
    - element: t:kopf
      children:
        - element: t:typ
          value: $target.typeCode
        - element: t:leser
          value: $reader.name
    - element: t:name
      value: person.name
      required: true
    - element: t:optional
      value: person.nickname
    - element: t:const
      const: 7
    - element: t:free
      value: text
    - element: t:secret
      only: [abc]
      value: $ddmmyyyy(person.birth)
    - element: t:item
      each: items
      children:
        - element: t:code
          code: { list: "urn:t:list", value: code }
        - element: t:label
          value: label
    - element: t:tag
      each: tags
      code: { list: "urn:t:list", value: $, as: name }
    - use: frag
      with: person
      if: $exists(name)
    - element: t:flag
      code: { list: "urn:t:janein", value: $janein(flag) }
    - element: t:needed
      with: needed
      required: true
      children:
        - element: t:inside
          value: $
    - element: t:wrapped
      with: $data.person
      attributes:
        kind: { value: kind }
      children:
        - element: t:inner
          value: name
`;

const fragmentsYaml = `
fragments:
  frag:
    - element: t:fromFragment
      value: name
`;

function genericode(uri: string, rows: [string, string][]): string {
  return `<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
  <Identification><ShortName>t</ShortName><Version>1</Version><CanonicalUri>${uri}</CanonicalUri><CanonicalVersionUri>${uri}_1</CanonicalVersionUri></Identification>
  <ColumnSet><Column Id="code" Use="required"><ShortName>code</ShortName><Data Type="string"/></Column><Column Id="name" Use="optional"><ShortName>name</ShortName><Data Type="string"/></Column><Key Id="k"><ShortName>k</ShortName><ColumnRef Ref="code"/></Key></ColumnSet>
  <SimpleCodeList>${rows.map(([c, n]) => `<Row><Value ColumnRef="code"><SimpleValue>${c}</SimpleValue></Value><Value ColumnRef="name"><SimpleValue>${n}</SimpleValue></Value></Row>`).join('')}</SimpleCodeList>
</gc:CodeList>`;
}

function setup(files: Record<string, string> = { 'm.yaml': mappingYaml, '_f.yaml': fragmentsYaml }): string {
  const root = mkdtempSync(join(tmpdir(), 'amtsbote-map-'));
  const dir = join(root, 'teststd', '1');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return root;
}

const clDir = mkdtempSync(join(tmpdir(), 'amtsbote-map-cl-'));
writeFileSync(
  join(clDir, 'list.xml'),
  genericode('urn:t:list', [
    ['01', 'eins'],
    ['02', 'zwei'],
  ]),
);
writeFileSync(
  join(clDir, 'janein.xml'),
  genericode('urn:t:janein', [
    ['0', 'nein'],
    ['1', 'ja'],
  ]),
);
const codeLists = loadCodeLists(clDir);
const set = loadMappings(setup());

const target = (message = 'abc.test.0001') => ({ standard: 'teststd', version: '1', message });
const authority = { praefix: 'p', kennung: 'k', kennungListUri: 'urn:k', name: 'Leser & Co' };
function context(data: unknown, test = false): MappingContext {
  return {
    data,
    envelope: { serviceKey: service, regionKey: '146120000000', test },
    message: { id: '00000000-0000-0000-0000-000000000001', createdAt: '2026-01-01T12:00:00+01:00' },
    region: { ars: '146120000000', ags: '14612000', name: 'Dresden' },
    author: authority,
    reader: authority,
    product: { name: 'Amtsbote', vendor: 'v', version: '1' },
  };
}

const sample = {
  needed: 'n',
  person: { name: 'Zoë', birth: '1990-02-03', kind: 'natürlich' },
  text: 'a < b & c ]]> "d" \'e\'\r\nzweite Zeile\tTab',
  items: [{ code: '01', label: 'L1' }, { code: '02' }],
  tags: ['02', '01'],
  flag: true,
};

async function mapError(data: unknown, message?: string): Promise<AmtsboteError> {
  try {
    await buildMessage(set, target(message), context(data), codeLists);
  } catch (e) {
    if (e instanceof AmtsboteError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** Text of the first element with this local name, read back by libxml2. */
function textOf(xml: string, local: string): string | undefined {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.get(`//*[local-name()='${local}']`)?.content;
  } finally {
    doc.dispose();
  }
}

describe('buildMessage', () => {
  it('writes the tree the mapping describes, root named by the target, namespaces declared', async () => {
    const out = await buildMessage(set, target(), context(sample, true), codeLists);
    expect(out).toMatchObject({ standard: 'teststd', version: '1', message: 'abc.test.0001', mapping: 'm' });
    expect(out.xml).toContain('<t:abc.test.0001 xmlns:t="urn:test" produkt="Amtsbote" fix="1" test="1">');
    expect(out.xml).toContain('<t:typ>0001</t:typ>');
    expect(out.xml).toContain('<t:leser>Leser &amp; Co</t:leser>');
    expect(out.xml).toContain('<t:const>7</t:const>');
    expect(out.xml).toContain('<t:secret>03021990</t:secret>');
    expect(out.xml).toMatch(/<t:code listURI="urn:t:list" listVersionID="1">\s*<code>02<\/code>/);
    expect(out.xml).toContain('<t:tag>zwei</t:tag>');
    expect(out.xml).toContain('<t:fromFragment>Zoë</t:fromFragment>');
    expect(out.xml).toMatch(/<t:flag listURI="urn:t:janein" listVersionID="1">\s*<code>1<\/code>/);
    expect(out.xml).toContain('<t:wrapped kind="natürlich">');
  });

  it('leaves out optional elements whose value is empty, and containers left empty', async () => {
    const out = await buildMessage(
      set,
      target(),
      context({ needed: 'n', person: { name: 'A', nickname: '  ' }, items: [{}] }),
      codeLists,
    );
    expect(out.xml).not.toContain('t:optional');
    expect(out.xml).not.toContain('t:item');
    expect(out.xml).not.toContain('t:free');
    expect(out.xml).not.toContain(' test=');
  });

  it('withholds `only` elements from other recipient classes', async () => {
    const out = await buildMessage(set, target('xyz.test.0002'), context(sample), codeLists);
    expect(out.xml).not.toContain('t:secret');
    expect(out.xml).toContain('<t:typ>0002</t:typ>');
  });

  it('escapes XML metacharacters and keeps text exactly, CR included', async () => {
    const out = await buildMessage(set, target(), context(sample), codeLists);
    expect(out.xml).toContain('a &lt; b &amp; c ]]&gt; "d"');
    expect(out.xml).toContain('&#13;');
    expect(textOf(out.xml, 'free')).toBe(sample.text);
  });

  it('escapes text that already looks like an entity reference (xmlbuilder2 alone would keep it)', async () => {
    const text = 'T&amp; &nbsp; &#13; &#x41; &';
    const out = await buildMessage(
      set,
      target(),
      context({ ...sample, text, person: { ...sample.person, kind: 'a&amp;b\tc' } }),
      codeLists,
    );
    expect(textOf(out.xml, 'free')).toBe(text);
    const doc = XmlDocument.fromString(out.xml);
    try {
      expect(doc.get("//*[local-name()='wrapped']/@kind")?.content).toBe('a&amp;b\tc');
    } finally {
      doc.dispose();
    }
  });

  it('names the input field of an empty required element', async () => {
    const error = await mapError({ person: { nickname: 'x' } });
    expect(error.code).toBe('invalid-data');
    expect(error.errors).toEqual([
      { pointer: '/data/person/name', detail: 'is required (it becomes name)' },
      { pointer: '/data/needed', detail: 'is required (it becomes needed)' },
    ]);
  });

  it('names the field and the list of a code that is not in its list, and reports all problems at once', async () => {
    const error = await mapError({ needed: 'n', person: {}, items: [{ code: '01' }, { code: '09' }], tags: ['07'] });
    expect(error.code).toBe('invalid-data');
    expect(error.errors).toEqual([
      { pointer: '/data/person/name', detail: 'is required (it becomes name)' },
      { pointer: '/data/items/1/code', detail: 'is not a code of the list urn:t:list (version 1)' },
      { pointer: '/data/tags/0', detail: 'is not a code of the list urn:t:list (version 1)' },
    ]);
  });

  it('knows the input field of every element it can, by XML path as libxml2 writes it', async () => {
    const out = await buildMessage(set, target(), context(sample), codeLists);
    expect(out.pointers.get('/t:abc.test.0001/t:name')).toBe('/data/person/name');
    expect(out.pointers.get('/t:abc.test.0001/t:item[2]/t:code')).toBe('/data/items/1/code');
    expect(out.pointers.get('/t:abc.test.0001/t:item[2]/t:code/code')).toBe('/data/items/1/code');
    expect(out.pointers.get('/t:abc.test.0001/t:item[1]')).toBe('/data/items/0');
    expect(out.pointers.get('/t:abc.test.0001/t:secret')).toBe('/data/person/birth');
    expect(out.pointers.get('/t:abc.test.0001/t:tag[1]')).toBe('/data/tags/0');
    expect(out.pointers.get('/t:abc.test.0001/t:wrapped/t:inner')).toBe('/data/person/name');
    // configuration values blame no input field
    expect(out.pointers.has('/t:abc.test.0001/t:kopf')).toBe(false);
    expect(out.pointers.has('/t:abc.test.0001/t:kopf/t:leser')).toBe(false);
    expect(out.pointers.has('/t:abc.test.0001/t:const')).toBe(false);
  });

  it('refuses targets the mapping does not produce, and services without a mapping', async () => {
    const error = await mapError(sample, 'sta.test.0100');
    expect(error.code).toBe('invalid-config');
    expect(error.message).toContain('does not produce sta.test.0100');
    await expect(
      buildMessage(
        set,
        target(),
        { ...context(sample), envelope: { ...context(sample).envelope, serviceKey: '11111111111111' } },
        codeLists,
      ),
    ).rejects.toThrow(/no mapping for service 11111111111111/);
  });

  it('treats a value that is a list or object as a mapping bug, not a data error', async () => {
    const error = await mapError({ ...sample, text: ['a', 'b'] });
    expect(error.code).toBe('invalid-config');
    expect(error.message).toContain('gives a list');
  });
});

describe('loadMappings', () => {
  const bad =
    (yaml: string, extra: Record<string, string> = {}) =>
    () =>
      loadMappings(setup({ 'm.yaml': yaml, '_f.yaml': fragmentsYaml, ...extra }));

  it('stops at a JSONata syntax error with the file and element', () => {
    expect(bad(mappingYaml.replace('value: person.nickname', 'value: "person.("'))).toThrow(
      /m\.yaml.*\/t:optional \(value\).*does not compile/s,
    );
  });

  it('stops at unknown fragments, self-including fragments, undeclared prefixes and misplaced files', () => {
    expect(bad(mappingYaml.replace('use: frag', 'use: nope'))).toThrow(/there is no fragment "nope"/);
    expect(bad(mappingYaml, { '_f.yaml': 'fragments:\n  frag:\n    - use: frag\n' })).toThrow(/includes itself/);
    expect(bad(mappingYaml.replace('element: t:const', 'element: u:const'))).toThrow(/prefix u is not in namespaces/);
    expect(bad(mappingYaml.replace('version: "1"', 'version: "2"'))).toThrow(/lies in teststd\/1/);
    expect(bad(mappingYaml.replace('const: 7', 'const: 7\n      value: x'))).toThrow(/at most one of value, const/);
  });
});

describe('expressions', () => {
  it('read plain paths directly, with the same result as JSONata', async () => {
    const values = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const data = fc.record({
      a: fc.option(fc.record({ b: fc.option(values, { nil: undefined }) }), { nil: undefined }),
    });
    const expr = compileExpression('a.b');
    expect(expr.path).toEqual({ root: '', steps: ['a', 'b'] });
    await fc.assert(
      fc.asyncProperty(data, async (d) => {
        expect(evaluate(expr, d, {})).toEqual(await expr.jsonata.evaluate(d, {}));
      }),
      { numRuns: 200 },
    );
  });

  it('call our helper functions directly on a plain path, with the same result as JSONata', async () => {
    const bindings = { ...mappingFunctions };
    const input = fc.record({
      x: fc.oneof(
        fc.boolean(),
        fc.constant(undefined),
        fc.constantFrom('2026-03-01', '2026-03-01T23:30:00+01:00', 'kein Datum'),
      ),
    });
    for (const source of ['$janein(x)', '$ddmmyyyy(x)', '$date(x)']) {
      const expr = compileExpression(source);
      expect(expr.call?.name).toBe(source.slice(1, source.indexOf('(')));
      await fc.assert(
        fc.asyncProperty(input, async (d) => {
          expect(evaluate(expr, d, bindings)).toEqual(await expr.jsonata.evaluate(d, bindings));
        }),
        { numRuns: 50 },
      );
    }
  });

  it('fall back to JSONata where a path meets an array', async () => {
    const expr = compileExpression('a.b');
    const result = (await evaluate(expr, { a: [{ b: 1 }, { b: 2 }] }, {})) as number[];
    expect([...result]).toEqual([1, 2]); // a JSONata sequence, an array with a marker property
  });

  it('know the one field a computed expression reads, for its pointer', () => {
    expect(compileExpression('$ddmmyyyy(person.birth)').pointerPath).toEqual({ root: '', steps: ['person', 'birth'] });
    expect(compileExpression('$data.business.kind').pointerPath).toEqual({ root: 'data', steps: ['business', 'kind'] });
    expect(compileExpression('a ? b : c').pointerPath).toBeUndefined();
  });
});
