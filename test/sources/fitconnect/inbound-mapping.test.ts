import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { compileDataValidators } from '../../../src/intake/data-validator.js';
import { mapInbound, loadInboundMappings } from '../../../src/sources/fitconnect/inbound-mapping.js';
import { din91379Keyword, normalizeNfc } from '../../../src/xoev/index.js';
import { ajvErrors } from '../../helpers/fitconnect-metadata-validators.js';
import { examplesDir, projectRoot } from '../../helpers/paths.js';

/** The gateway's own configuration: its services and their validators, as intake compiles them. */
const config = loadConfig({ configFile: join(projectRoot, 'config', 'gateway.yaml') });
const validators = compileDataValidators(config.services, [din91379Keyword]);
const inboundDir = join(projectRoot, 'mappings', 'inbound');
const mappings = await loadInboundMappings(inboundDir, new Set(config.services.keys()));
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
  'hundesteuer-chemnitz-json': { file: 'hundesteuer-anmeldung/chemnitz-assistenzhund.json', service: '99102013104000' },
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
      if (folder === 'gewerbeanmeldung-leipzig-xml') {
        // XGewerbeanzeige carries the state of birth by name, the service by Destatis key: not carried back.
        for (const person of expected.persons as Record<string, unknown>[]) delete person.birthCountry;
      } else {
        // The FIT-Connect example names its evidence by the FIT-Connect attachment id.
        (expected as { exemption: { evidence: { attachmentId: string } } }).exemption.evidence.attachmentId =
          example.attachments[0]?.id ?? '';
      }
      expect(result.data).toEqual(expected);
    });
  });
});
