/**
 * The mapping engine's node kinds added for XMeld: `attachment` (an attachment's content as base64 text)
 * and `assert` (a condition on the data, refused at the field), the helper functions `$withMilliseconds`
 * and `$agsInRegion`, and the pointer of a bare configuration variable (`with: $author`).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import {
  buildMessage,
  loadCodeLists,
  loadMappings,
  type MappingAttachment,
  type MappingContext,
} from '../../src/xoev/index.js';
import { mappingFunctions } from '../../src/xoev/mapping/functions.js';

const service = '99999999999998';

function setup(mapping: string): string {
  const root = mkdtempSync(join(tmpdir(), 'amtsbote-ext-'));
  const dir = join(root, 'extstd', '1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'm.yaml'), mapping);
  return root;
}

const mapping = `
standard: extstd
version: "1"
services: ["${service}"]
messages: [ext.0001]
namespaces:
  t: "urn:ext"
root:
  prefix: t
  children:
    - element: t:head
      with: $author
      children:
        - element: t:id
          value: kennung
          required: true
        - element: t:mail
          each: erreichbarkeit
          required: true
          value: kennung
    - element: t:place
      with: place
      children:
        - element: t:ags
          value: ags
          required: true
          assert: { test: "$agsInRegion(ags, $region.ars)", detail: "lies outside the region" }
    - element: t:doc
      with: document
      attachment: { id: attachmentId, mediaTypes: [application/pdf] }
    - element: t:anyDoc
      attachment: { id: otherId }
`;

const set = loadMappings(setup(mapping));
const codeLists = loadCodeLists(mkdtempSync(join(tmpdir(), 'amtsbote-ext-cl-')));

function context(data: unknown, attachments: Map<string, MappingAttachment> = new Map()): MappingContext {
  const author = {
    praefix: 'mbp',
    kennung: 'k1',
    kennungListUri: 'urn:k',
    name: 'Portal',
    erreichbarkeit: [{ kanal: '01', kennung: 'a@b.example' }],
  };
  return {
    data,
    envelope: { serviceKey: service, regionKey: '146120000000', test: false },
    message: { id: '00000000-0000-0000-0000-000000000001', createdAt: '2026-01-01T12:00:00+01:00' },
    region: { ars: '146120000000', ags: '14612000', name: 'Dresden' },
    author,
    reader: author,
    product: { name: 'Amtsbote', vendor: 'v', version: '1' },
    attachments,
  };
}
const target = { standard: 'extstd', version: '1', message: 'ext.0001' };
const pdf = { mediaType: 'application/pdf', content: Buffer.from('%PDF-1.4 test') };

async function mapError(ctx: MappingContext): Promise<AmtsboteError> {
  const error = await buildMessage(set, target, ctx, codeLists).catch((e: unknown) => e);
  if (!(error instanceof AmtsboteError)) throw new Error('expected an AmtsboteError');
  return error;
}

describe('attachment nodes', () => {
  it("write the attachment's bytes as base64", async () => {
    const out = await buildMessage(
      set,
      target,
      context({ place: { ags: '14612000' }, document: { attachmentId: 'a1' } }, new Map([['a1', pdf]])),
      codeLists,
    );
    expect(out.xml).toContain(`<t:doc>${pdf.content.toString('base64')}</t:doc>`);
    expect(out.xml).not.toContain('<t:anyDoc');
    expect(out.pointers.get('/t:ext.0001/t:doc')).toBe('/data/document/attachmentId');
  });

  it('refuse an id the submission has no attachment for, and a media type the element cannot carry, at the id', async () => {
    const missing = await mapError(context({ place: { ags: '14612000' }, document: { attachmentId: 'nope' } }));
    expect(missing.code).toBe('invalid-data');
    expect(missing.errors).toEqual([
      { pointer: '/data/document/attachmentId', detail: expect.stringContaining('names no attachment') as unknown },
    ]);
    const png = await mapError(
      context(
        { place: { ags: '14612000' }, document: { attachmentId: 'a1' } },
        new Map([['a1', { ...pdf, mediaType: 'image/png' }]]),
      ),
    );
    expect(png.errors).toEqual([
      {
        pointer: '/data/document/attachmentId',
        detail: 'names an attachment of type image/png; it must be application/pdf',
      },
    ]);
    const empty = await mapError(
      context(
        { place: { ags: '14612000' }, document: { attachmentId: 'a1' } },
        new Map([['a1', { ...pdf, content: new Uint8Array() }]]),
      ),
    );
    expect(empty.errors[0]?.detail).toBe('names an empty attachment');
  });

  it('take any media type when the node names none', async () => {
    const out = await buildMessage(
      set,
      target,
      context(
        { place: { ags: '14612000' }, otherId: 'x' },
        new Map([['x', { mediaType: 'image/png', content: Buffer.from([1, 2, 3]) }]]),
      ),
      codeLists,
    );
    expect(out.xml).toContain('<t:anyDoc>AQID</t:anyDoc>');
  });

  it('are refused with value, const, code or children beside them, and in a use', () => {
    const bad = (node: string) => () =>
      loadMappings(
        setup(
          mapping.replace(
            '      attachment: { id: attachmentId, mediaTypes: [application/pdf] }',
            `      attachment: { id: attachmentId }\n${node}`,
          ),
        ),
      );
    expect(bad('      value: x')).toThrow(/give at most one of value, attachment/);
    expect(bad('      const: x')).toThrow(/give at most one of const, attachment/);
    expect(() =>
      loadMappings(
        setup(
          mapping.replace(
            '      attachment: { id: otherId }',
            '      attachment: { id: otherId, mediaTypes: ["pdf"] }',
          ),
        ),
      ),
    ).toThrow(/media type/);
  });
});

describe('assert', () => {
  it('refuses the field when the condition is false, and keeps quiet when it holds', async () => {
    await expect(buildMessage(set, target, context({ place: { ags: '14612000' } }), codeLists)).resolves.toBeDefined();
    const error = await mapError(context({ place: { ags: '14713000' } }));
    expect(error.errors).toEqual([{ pointer: '/data/place/ags', detail: 'lies outside the region' }]);
  });
});

describe('configuration variables as context', () => {
  it('blame no input field when a required part of $author is missing (invalid-config, not invalid-data)', async () => {
    const ctx = context({ place: { ags: '14612000' } });
    const error = await mapError({ ...ctx, author: { ...ctx.author, erreichbarkeit: [] } });
    expect(error.code).toBe('invalid-config');
    expect(error.message).toMatch(/required t:mail is empty/);
    const out = await buildMessage(set, target, ctx, codeLists);
    expect([...out.pointers.keys()].filter((p) => p.startsWith('/t:ext.0001/t:head'))).toEqual([]);
  });
});

describe('helper functions', () => {
  const { withMilliseconds, agsInRegion } = mappingFunctions;
  if (withMilliseconds === undefined || agsInRegion === undefined) throw new Error('helpers missing');

  it('$withMilliseconds gives exactly three fraction digits and keeps the zone', () => {
    expect(withMilliseconds('2026-03-01T10:15:00+01:00')).toBe('2026-03-01T10:15:00.000+01:00');
    expect(withMilliseconds('2026-03-01T09:15:00.5Z')).toBe('2026-03-01T09:15:00.500Z');
    expect(withMilliseconds('2026-03-01T09:15:00.123456-05:00')).toBe('2026-03-01T09:15:00.123-05:00');
    expect(withMilliseconds('2026-03-01T09:15:00')).toBeUndefined(); // no zone: not a time a message may carry
    expect(withMilliseconds(undefined)).toBeUndefined();
  });

  it('$agsInRegion compares state, Regierungsbezirk, Kreis and municipality where the ARS names them', () => {
    expect(agsInRegion('14612000', '146120000000')).toBe(true); // Dresden
    expect(agsInRegion('14713000', '146120000000')).toBe(false); // Leipzig is not in Dresden
    expect(agsInRegion('14729270', '147130000000')).toBe(false); // Markkleeberg (Landkreis Leipzig) is not in the city
    expect(agsInRegion('14729270', '147290000000')).toBe(true); // but in the Landkreis Leipzig
    expect(agsInRegion('14522180', '145225229180')).toBe(true); // an ARS with a Gemeindeverband part (not checked)
    expect(agsInRegion('14522190', '145225229180')).toBe(false);
    expect(agsInRegion('11000000', '110000000000')).toBe(true); // Berlin
    expect(agsInRegion('1461200', '146120000000')).toBe(false);
    expect(agsInRegion(undefined, '146120000000')).toBeUndefined();
  });
});
