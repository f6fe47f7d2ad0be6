import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import {
  loadInboundMappings,
  mapInbound,
  type InboundMapping,
  type InboundResult,
} from '../../../src/sources/fitconnect/inbound-mapping.js';
import { examplesDir, projectRoot } from '../../helpers/paths.js';

/** Received data that are wrong in every way a sender can get them wrong: always an answer, never a throw. */
const config = loadConfig({ configFile: join(projectRoot, 'config', 'gateway.yaml') });
const mappings = await loadInboundMappings(join(projectRoot, 'mappings', 'inbound'), new Set(config.services.keys()), {
  schemaDirs: { xsdDir: config.paths.xsdDir },
});
afterAll(() => {
  mappings.close();
});

function mappingFor(schemaUri: string, mimeType: string): InboundMapping {
  const found = mappings.find(schemaUri, mimeType);
  if (found === undefined) throw new Error(`no shipped mapping for ${schemaUri}`);
  return found;
}
const xmlMapping = mappingFor('urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', 'application/xml');
const jsonMapping = mappingFor(
  'https://amtsbote.dev/schemas/services/hundesteuer-anmeldung/1.json',
  'application/json',
);

const exampleXml = readFileSync(join(examplesDir, 'fitconnect', 'gewerbeanmeldung-leipzig-xml', 'data.xml'), 'utf8');
const hundesteuer = (file: string): Record<string, unknown> =>
  (
    JSON.parse(readFileSync(join(examplesDir, 'hundesteuer-anmeldung', file), 'utf8')) as {
      data: Record<string, unknown>;
    }
  ).data;

interface Att {
  id: string;
  mediaType: string;
  purpose: string;
  filename?: string;
}
const map = (mapping: InboundMapping, data: string | Buffer, attachments: Att[] = []) =>
  mapInbound(mapping, { data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data, metadata: {}, attachments });

function failure(result: InboundResult) {
  if (result.ok) throw new Error(`mapped although it should not: ${JSON.stringify(result.data)}`);
  return result;
}

describe('XML data (XGewerbeanzeige 2.2)', () => {
  it('maps the example whatever namespace prefix the sender chose', async () => {
    const other = exampleXml.replace(/xga:/g, 'g:').replace('xmlns:xga=', 'xmlns:g=');
    const original = await map(xmlMapping, exampleXml);
    expect(original.ok).toBe(true);
    expect(await map(xmlMapping, other)).toEqual(original);
  });

  it('refuses XML that is not well-formed as data-syntax, with the line', async () => {
    const broken = exampleXml.replace('</xga:familienname>', '</xga:vorname>');
    const result = failure(await map(xmlMapping, broken));
    expect(result.reason).toBe('data-syntax');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.pointer).toBe('');
    expect(result.errors[0]?.detail).toMatch(/^is not well-formed XML: line \d+: /);
  });

  it('refuses the billion laughs (any DOCTYPE) before parsing, as data-syntax', async () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const result = failure(await map(xmlMapping, lol));
    expect(result).toEqual({
      ok: false,
      reason: 'data-syntax',
      errors: [{ pointer: '', detail: 'has a DOCTYPE: document type declarations and entities are not taken' }],
    });
    // Also behind a comment and a processing instruction, where a DOCTYPE may still stand.
    const hidden = `<?xml version="1.0"?><!-- a --><?pi x?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>`;
    expect(failure(await map(xmlMapping, hidden)).reason).toBe('data-syntax');
  });

  it('refuses a wrong root element or namespace as data-schema, naming the root', async () => {
    const sta = exampleXml.replaceAll('xga:alg.gewerbemeldung.0300', 'xga:sta.gewerbemeldung.0100');
    const wrongRoot = failure(await map(xmlMapping, sta));
    expect(wrongRoot.reason).toBe('data-schema');
    expect(wrongRoot.errors[0]?.pointer).toBe('/xga:sta.gewerbemeldung.0100');
    expect(wrongRoot.errors[0]?.detail).toContain('taken are {http://www.xgewerbeanzeige.de/spezifikation/2.2}');

    const v21 = exampleXml.replace('spezifikation/2.2"', 'spezifikation/2.1"');
    const wrongNamespace = failure(await map(xmlMapping, v21));
    expect(wrongNamespace.reason).toBe('data-schema');
    expect(wrongNamespace.errors[0]?.detail).toMatch(
      /^the root element is \{http:\/\/www.xgewerbeanzeige.de\/spezifikation\/2.1\}alg/,
    );
  });

  it('refuses a message without a required field by the XSD, with the XPath of the element', async () => {
    const withoutName = exampleXml.replace('<xga:familienname>Wiśniewski</xga:familienname>', '');
    const result = failure(await map(xmlMapping, withoutName));
    expect(result.reason).toBe('data-schema');
    expect(result.errors.length).toBeGreaterThan(0);
    const error = result.errors[0];
    expect(error?.pointer).toMatch(
      /^\/xga:alg\.gewerbemeldung\.0300\/xga:satz\/xga:anmeldung\/xga:gewerbe\/xga:beteiligtePerson/,
    );
    expect(error?.detail).toMatch(/familienname.*\(line \d+\)$/s);
    // The data's values never appear in what goes back (they may be personal data).
    expect(JSON.stringify(result)).not.toContain('Łukasz');
  });

  it('refuses text that is not UTF-8, or declares another encoding, as data-syntax', async () => {
    const latin1 = Buffer.from(exampleXml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(failure(await map(xmlMapping, latin1)).errors[0]?.detail).toBe('is not UTF-8 text');
    const declared = exampleXml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(/[^ -~\n]/g, 'x');
    expect(failure(await map(xmlMapping, declared)).errors[0]?.detail).toBe(
      'declares the encoding ISO-8859-1; only UTF-8 is taken',
    );
  });

  it('refuses data over the size bound before reading them', async () => {
    const big = Buffer.alloc(xmlMapping.maxBytes + 1, 0x20);
    expect(failure(await map(xmlMapping, big))).toEqual({
      ok: false,
      reason: 'data-syntax',
      errors: [{ pointer: '', detail: `the data are larger than ${xmlMapping.maxBytes} bytes` }],
    });
  });
});

describe('JSON data (Hundesteuer-Anmeldung)', () => {
  const attachments: Att[] = [
    { id: 'a1', mediaType: 'application/pdf', purpose: 'form', filename: 'antrag.pdf' },
    { id: 'a2', mediaType: 'image/jpeg', purpose: 'attachment' },
    { id: 'a3', mediaType: 'application/json', purpose: 'data' },
  ];

  it('takes every attachment along but the one that holds the data', async () => {
    const result = await map(jsonMapping, JSON.stringify(hundesteuer('dresden-welpe.json')), attachments);
    expect(result).toMatchObject({
      ok: true,
      attachments: [
        { id: 'a1', purpose: 'form' },
        { id: 'a2', purpose: 'attachment' },
      ],
    });
  });

  it('refuses JSON that does not parse as data-syntax, without quoting it', async () => {
    const result = failure(await map(jsonMapping, '{"holder": {"familyName": "Böhme",'));
    expect(result.reason).toBe('data-syntax');
    expect(result.errors[0]?.pointer).toBe('');
    expect(result.errors[0]?.detail).toMatch(/^is not valid JSON/);
    expect(JSON.stringify(result)).not.toContain('Böhme');
  });

  it('refuses data its schema does not accept, with JSON pointers', async () => {
    const transponder = failure(
      await map(jsonMapping, JSON.stringify(hundesteuer('dresden-invalid-transponder.json'))),
    );
    expect(transponder.reason).toBe('data-schema');
    expect(transponder.errors.map((e) => e.pointer)).toContain('/dog/transponderNumber');

    const data = hundesteuer('dresden-welpe.json');
    delete (data.holder as Record<string, unknown>).familyName;
    const missing = failure(await map(jsonMapping, JSON.stringify(data)));
    expect(missing).toEqual({
      ok: false,
      reason: 'data-schema',
      errors: [{ pointer: '/holder/familyName', detail: 'is required' }],
    });
  });

  it('refuses JSON that is no object of the schema (an array, a string)', async () => {
    expect(failure(await map(jsonMapping, '[1, 2]')).reason).toBe('data-schema');
    expect(failure(await map(jsonMapping, '"text"')).reason).toBe('data-schema');
  });
});
