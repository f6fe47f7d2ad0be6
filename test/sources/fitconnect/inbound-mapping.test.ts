import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { compileDataValidators } from '../../../src/intake/data-validator.js';
import { mapInbound, loadInboundMappings } from '../../../src/sources/fitconnect/inbound-mapping.js';
import { din91379Keyword, normalizeNfc } from '../../../src/xoev/index.js';
import { ajvErrors } from '../../helpers/fitconnect-metadata-validators.js';
import { examplesDir, hasReference, projectRoot, referenceDir } from '../../helpers/paths.js';

/** The gateway's own configuration: its services and their validators, as intake compiles them. */
const config = loadConfig({ configFile: join(projectRoot, 'config', 'gateway.yaml') });
const validators = compileDataValidators(config.services, [din91379Keyword]);
const inboundDir = join(projectRoot, 'mappings', 'inbound');
const mappings = await loadInboundMappings(inboundDir, new Set(config.services.keys()), {
  schemaDirs: { xsdDir: config.paths.xsdDir },
});
afterAll(() => {
  mappings.close();
});

interface Metadata {
  contentStructure: {
    data: { hash: { content: string }; submissionSchema: { schemaUri: string; mimeType: string } };
    attachments: {
      attachmentId: string;
      purpose: string;
      mimeType: string;
      filename: string;
      hash: { content: string };
    }[];
  };
}

const sha512 = (bytes: Buffer): string => createHash('sha512').update(bytes).digest('hex');
const fitConnectDir = join(examplesDir, 'fitconnect');
const exampleFolders = readdirSync(fitConnectDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function readExample(folder: string) {
  const dir = join(fitConnectDir, folder);
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Metadata & Record<string, unknown>;
  const dataFile = readdirSync(dir).find((f) => f.startsWith('data.'));
  if (dataFile === undefined) throw new Error(`${folder} has no data file`);
  const data = readFileSync(join(dir, dataFile));
  const attachments = metadata.contentStructure.attachments.map((a) => ({
    id: a.attachmentId,
    mediaType: a.mimeType,
    purpose: a.purpose,
    filename: a.filename,
    content: readFileSync(join(dir, a.filename)),
    hash: a.hash.content,
  }));
  return { metadata, data, attachments };
}

/** The original portal example each FIT-Connect example was made from (the XML by the gateway's outbound mapping). */
const origins: Record<string, { file: string; service: string }> = {
  'gewerbeanmeldung-leipzig-xml': { file: 'gewerbeanmeldung/leipzig-gmbh.json', service: '99050012104000' },
  'hundesteuer-dresden-json': { file: 'hundesteuer-anmeldung/dresden-welpe.json', service: '99102013104000' },
};

describe('the shipped inbound mappings', () => {
  it('cover a Gewerbeanmeldung as XGewerbeanzeige 2.2 XML and a JSON service', () => {
    expect(mappings.find('urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', 'application/xml')?.services).toEqual([
      '99050012104000',
    ]);
    expect(
      mappings.find('https://amtsbote.dev/schemas/services/hundesteuer-anmeldung/1.json', 'application/json')?.services,
    ).toEqual(['99102013104000']);
    expect(mappings.find('urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', 'application/json')).toBeUndefined();
    expect(exampleFolders).toEqual(Object.keys(origins).sort());
  });

  describe.each(exampleFolders)('example %s', (folder) => {
    const example = readExample(folder);

    it('has FIT-Connect metadata 2.1.0 whose hashes match its files', () => {
      expect(ajvErrors(example.metadata)).toBeUndefined();
      expect(example.metadata.contentStructure.data.hash.content).toBe(sha512(example.data));
      for (const a of example.attachments) expect(a.hash, a.filename).toBe(sha512(a.content));
    });

    it("maps to data the service's JSON Schema accepts, equal to the portal example it came from", async () => {
      const schema = example.metadata.contentStructure.data.submissionSchema;
      const mapping = mappings.find(schema.schemaUri, schema.mimeType);
      if (mapping === undefined) throw new Error(`no inbound mapping for ${schema.schemaUri}`);
      const result = await mapInbound(mapping, {
        data: example.data,
        metadata: example.metadata,
        attachments: example.attachments,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const origin = origins[folder];
      expect(result.serviceKey).toBe(origin?.service);
      const validate = validators.get(result.serviceKey);
      expect(validate?.(normalizeNfc(result.data))).toEqual([]);
      expect(result.attachments).toEqual(example.attachments.map((a) => ({ id: a.id, purpose: a.purpose })));

      const portal = JSON.parse(readFileSync(join(examplesDir, origin?.file ?? ''), 'utf8')) as {
        data: Record<string, unknown>;
      };
      const expected = structuredClone(portal.data);
      // XGewerbeanzeige carries the state of birth by name, the service by Destatis key: not carried back.
      if (folder === 'gewerbeanmeldung-leipzig-xml')
        for (const person of expected.persons as Record<string, unknown>[]) delete person.birthCountry;
      expect(result.data).toEqual(expected);
    });
  });
});

/** KoSIT's own XGewerbeanzeige 2.2 test pair (reference material beside the project, never copied in). */
describe.skipIf(!hasReference)(`KoSIT's XGewerbeanzeige 2.2 test messages (from ${referenceDir})`, () => {
  const kosit = (name: string) => readFileSync(join(referenceDir, 'xgewerbeanzeige', '2.2', 'examples', name));
  const mapping = mappings.find('urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', 'application/xml');

  it("the valid one (abh.gewerbemeldung.0500, an Anmeldung) maps to data the service's schema accepts", async () => {
    if (mapping === undefined) throw new Error('no mapping');
    const result = await mapInbound(mapping, { data: kosit('xgwa2.2-valid.xml'), metadata: {}, attachments: [] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(validators.get(result.serviceKey)?.(normalizeNfc(result.data))).toEqual([]);
    expect(result.data).toMatchObject({
      business: { legalForm: '170', kind: { craft: true, industry: false }, partTimeEmployees: 2 },
      persons: [{ familyName: 'Pick', birthName: 'Rodríguez', birthDate: '1965-10-12', nationalities: ['332'] }],
      activity: { description: 'Friseur', wzCode: '96021' },
      startDate: '2016-08-01',
      reason: '01',
    });
  });

  it('the invalid one is refused by the XSD with the XPath of the element out of order', async () => {
    if (mapping === undefined) throw new Error('no mapping');
    const result = await mapInbound(mapping, { data: kosit('xgwa2.2-invalid.xml'), metadata: {}, attachments: [] });
    expect(result).toMatchObject({
      ok: false,
      reason: 'data-schema',
      errors: [{ pointer: '/xga:abh.gewerbemeldung.0500/xga:satz/xga:anmeldung/xga:gewerbe/xga:niederlassungArt' }],
    });
  });
});
