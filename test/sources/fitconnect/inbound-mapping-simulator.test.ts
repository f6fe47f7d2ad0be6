import { join } from 'node:path';
import { compactDecrypt, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { compileDataValidators } from '../../../src/intake/data-validator.js';
import { loadInboundMappings, mapInbound } from '../../../src/sources/fitconnect/inbound-mapping.js';
import { din91379Keyword, normalizeNfc } from '../../../src/xoev/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../../fixtures/fitconnect-simulator/index.js';
import { fitConnectExampleFolders, onlineServiceOptions } from '../../helpers/fitconnect-examples.js';
import { projectRoot } from '../../helpers/paths.js';

/**
 * The example submissions of examples/fitconnect/ travel as examples/fitconnect/README.md says: the simulator's
 * online service sends each, encrypted to a destination's key; read back over the subscriber API and decrypted with
 * the destination's private key, the data map to the service (the pick-up's checks are fc-checks' and their tests').
 */
const config = loadConfig({ configFile: join(projectRoot, 'config', 'gateway.yaml') });
const validators = compileDataValidators(config.services, [din91379Keyword]);
const mappings = await loadInboundMappings(join(projectRoot, 'mappings', 'inbound'), new Set(config.services.keys()), {
  schemaDirs: { xsdDir: config.paths.xsdDir },
});
let sim: FitConnectSimulator;
beforeAll(async () => {
  sim = await startFitConnectSimulator();
});
afterAll(async () => {
  mappings.close();
  await sim.close();
});

async function token(): Promise<string> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe.each(fitConnectExampleFolders())('example %s through the simulator', (folder) => {
  it('arrives, decrypts and maps to data the service accepts, with its attachments', async () => {
    const options = onlineServiceOptions(folder, { name: 'x', identifier: 'x' });
    const schema = { schemaUri: options.data?.schemaUri ?? '', mimeType: options.data?.mimeType ?? '' };
    const mapping = mappings.find(schema.schemaUri, schema.mimeType);
    if (mapping === undefined) throw new Error(`no inbound mapping for ${schema.schemaUri}`);
    const serviceKey = mapping.services[0] ?? '';
    const service = {
      identifier: `urn:de:fim:leika:leistung:${serviceKey}`,
      name: config.services.get(serviceKey)?.definition.name ?? '',
    };
    const destination = sim.addDestination({
      subscribers: [sim.clientId],
      offer: { publicServices: [{ ...service, submissionSchemas: [schema] }], metadataVersions: ['2.1.0'] },
    });
    const sent = await sim.sendAsOnlineService(destination.destinationId, { ...options, service });

    const bearer = { authorization: `Bearer ${await token()}` };
    const api = `${sim.submissionApiUrl}/v2/submissions/${sent.submissionId}`;
    const submission = (await (await fetch(api, { headers: bearer })).json()) as {
      encryptedMetadata: string;
      encryptedData: string;
      attachments: string[];
    };
    const key = await importJWK({ ...destination.decryptionJwk, alg: 'RSA-OAEP-256' }, 'RSA-OAEP-256');
    const open = async (jwe: string) => Buffer.from((await compactDecrypt(jwe, key)).plaintext);
    const metadata = JSON.parse((await open(submission.encryptedMetadata)).toString('utf8')) as {
      contentStructure: {
        attachments: { attachmentId: string; mimeType: string; purpose: string; filename?: string }[];
      };
    };
    const data = await open(submission.encryptedData);
    expect(data.equals(options.data?.content as Buffer)).toBe(true);
    expect(submission.attachments.sort()).toEqual(sent.attachmentIds.slice().sort());
    for (const id of submission.attachments) {
      const jwe = await (await fetch(`${api}/attachments/${id}`, { headers: bearer })).text();
      const bytes = await open(jwe);
      const index = sent.attachmentIds.indexOf(id);
      expect(bytes.equals(options.attachments?.[index]?.content as Buffer)).toBe(true);
    }

    const result = await mapInbound(mapping, {
      data,
      metadata,
      attachments: metadata.contentStructure.attachments.map((a) => ({
        id: a.attachmentId,
        mediaType: a.mimeType,
        purpose: a.purpose,
        ...(a.filename === undefined ? {} : { filename: a.filename }),
      })),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.serviceKey).toBe(serviceKey);
    expect(validators.get(serviceKey)?.(normalizeNfc(result.data))).toEqual([]);
    expect(result.attachments.map((a) => a.id)).toEqual(sent.attachmentIds);
  });
});
