import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/lib/errors.js';
import { loadInboundMappings, mapInbound } from '../../../src/sources/fitconnect/inbound-mapping.js';
import { projectRoot } from '../../helpers/paths.js';

/** Mapping files an admin gets wrong are refused at load with the file and a pointer into it. */
const root = mkdtempSync(join(tmpdir(), 'amtsbote-inbound-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
const services = new Set(['99050012104000', '99102013104000']);
let folders = 0;

/** A fresh mappings folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = join(root, String(folders++));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const json = (body: string) => `schemaUri: urn:example:data\nmimeType: application/json\n${body}`;

async function refusal(dir: string): Promise<{ file: unknown; pointer: string | undefined; message: string }> {
  const error: unknown = await loadInboundMappings(dir, services).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ConfigError)) throw new Error(`loaded although it should not (${String(error)})`);
  return { file: error.extensions.file, pointer: error.errors[0]?.pointer, message: error.message };
}

describe('loadInboundMappings refuses', () => {
  it('a service the gateway does not have', async () => {
    const dir = folder({ 'a.yaml': json('produces:\n  - service: "99999999999999"\n    data: $\n') });
    expect(await refusal(dir)).toMatchObject({ file: join(dir, 'a.yaml'), pointer: '/produces/0/service' });
  });

  it('an expression that does not compile, naming where', async () => {
    const dir = folder({
      'a.yaml': json('produces:\n  - service: "99102013104000"\n    data: "{ \\"a\\": holder.( }"\n'),
    });
    const refused = await refusal(dir);
    expect(refused).toMatchObject({ file: join(dir, 'a.yaml'), pointer: '/produces/0/data' });
    expect(refused.message).toMatch(/does not compile at character \d+/);
  });

  it('a key it does not know, and XML without its root', async () => {
    const dir = folder({
      'a.yaml': json('produces:\n  - service: "99102013104000"\n    data: $\n    servce: x\n'),
    });
    expect(await refusal(dir)).toMatchObject({ file: join(dir, 'a.yaml'), pointer: '/produces/0/servce' });
    const xml = folder({
      'b.yaml': 'schemaUri: urn:x\nmimeType: application/xml\nproduces:\n  - service: "99102013104000"\n    data: $\n',
    });
    expect(await refusal(xml)).toMatchObject({ file: join(xml, 'b.yaml'), pointer: '/xml' });
  });

  it('a case after one without `when` (it could never apply)', async () => {
    const dir = folder({
      'a.yaml': json(
        'produces:\n  - service: "99102013104000"\n    data: $\n  - service: "99050012104000"\n    data: $\n',
      ),
    });
    expect(await refusal(dir)).toMatchObject({ pointer: '/produces/0/when' });
  });

  it('two files for one data schema', async () => {
    const one = json('produces:\n  - service: "99102013104000"\n    data: $\n');
    const dir = folder({ 'a.yaml': one, 'b.yaml': one });
    const refused = await refusal(dir);
    expect(refused).toMatchObject({ file: join(dir, 'b.yaml'), pointer: '/schemaUri' });
    expect(refused.message).toContain(join(dir, 'a.yaml'));
  });

  it('a local schema that is missing, or names another $id than the schemaUri', async () => {
    const missing = folder({
      'a.yaml': json('schema: nowhere.json\nproduces:\n  - service: "99102013104000"\n    data: $\n'),
    });
    expect(await refusal(missing)).toMatchObject({ pointer: '/schema' });
    const schema = join(projectRoot, 'config', 'services', 'hundesteuer-anmeldung.schema.json');
    const otherId = folder({
      'a.yaml': json(`schema: ${schema}\nproduces:\n  - service: "99102013104000"\n    data: $\n`),
    });
    const refused = await refusal(otherId);
    expect(refused).toMatchObject({ pointer: '/schema' });
    expect(refused.message).toContain('hundesteuer-anmeldung/1.json');
  });

  it('a schema set without the schema folders, or one the gateway does not have', async () => {
    const xml = (set: string) =>
      [
        'schemaUri: urn:x',
        'mimeType: application/xml',
        `schemaSet: ${set}`,
        'xml: { root: { namespace: "urn:x", names: [x] } }',
        'produces:',
        '  - service: "99102013104000"',
        '    data: $',
        '',
      ].join('\n');
    const dir = folder({ 'a.yaml': xml('{ standard: xgewerbeanzeige, version: "2.2" }') });
    const refused = await refusal(dir);
    expect(refused).toMatchObject({ pointer: '/schemaSet' });
    expect(refused.message).toContain('no schema folders');
    const unknown = folder({ 'a.yaml': xml('{ standard: xunbekannt, version: "9" }') });
    const error: unknown = await loadInboundMappings(unknown, services, {
      schemaDirs: { xsdDir: join(projectRoot, 'xsd') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ errors: [{ pointer: '/schemaSet' }], extensions: { file: join(unknown, 'a.yaml') } });
    expect((error as Error).message).toContain('no schema set for xunbekannt 9');
  });

  it('a folder that does not exist', async () => {
    expect(await refusal(join(root, 'absent'))).toMatchObject({ file: join(root, 'absent'), pointer: '' });
  });
});

describe('a loaded mapping', () => {
  it('skips files starting with _ or . and chooses the case by `when`', async () => {
    const dir = folder({
      '_notes.yaml': 'not: a mapping\n',
      'a.yaml': json(
        [
          'attachments: { purposes: [form] }',
          'produces:',
          '  - service: "99050012104000"',
          '    when: kind = "gewerbe"',
          '    data: "{ \\"from\\": $metadata.additionalReferenceInfo.senderReference }"',
          '  - service: "99102013104000"',
          '    data: "{ \\"count\\": $number(count), \\"files\\": [$attachments.filename] }"',
          '',
        ].join('\n'),
      ),
    });
    const mappings = await loadInboundMappings(dir, services);
    try {
      expect(mappings.list()).toHaveLength(1);
      const mapping = mappings.find('urn:example:data', 'application/json');
      if (mapping === undefined) throw new Error('not found');
      expect(mapping.services).toEqual(['99050012104000', '99102013104000']);
      const attachments = [
        { id: 'f', mediaType: 'application/pdf', purpose: 'form', filename: 'antrag.pdf' },
        { id: 'u', mediaType: 'image/png', purpose: 'attachment', filename: 'foto.png' },
      ];
      const metadata = { additionalReferenceInfo: { senderReference: 'R-1' } };
      const input = (data: unknown) => ({ data: Buffer.from(JSON.stringify(data)), metadata, attachments });

      expect(await mapInbound(mapping, input({ kind: 'gewerbe' }))).toEqual({
        ok: true,
        serviceKey: '99050012104000',
        data: { from: 'R-1' },
        attachments: [{ id: 'f', purpose: 'form' }],
      });
      expect(await mapInbound(mapping, input({ kind: 'hund', count: '2' }))).toMatchObject({
        ok: true,
        serviceKey: '99102013104000',
        data: { count: 2, files: ['antrag.pdf', 'foto.png'] },
      });
      // A function given what it cannot take: an answer that names JSONata's code, never the value.
      const failed = await mapInbound(mapping, input({ kind: 'hund', count: 'Bello-Müller' }));
      expect(failed).toEqual({
        ok: false,
        reason: 'data-schema',
        errors: [{ pointer: '', detail: 'the mapping cannot read these data (JSONata error D3030)' }],
      });
      expect(mappings.find('urn:example:data', 'application/xml')).toBeUndefined();
    } finally {
      mappings.close();
    }
  });
});
