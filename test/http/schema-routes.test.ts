import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { pollValue } from '../helpers/wait.js';

let gw: TestGateway | undefined;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

interface Served {
  schemaUri: string;
  kind: string;
  standard: string;
  version: string;
  path: string;
}
const examples = loadExamples();
const demoKey = (name: string) =>
  JSON.parse(
    readFileSync(join(projectRoot, `config/demo/${name}.encryption.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
  ) as Record<string, unknown>;

async function index(): Promise<Served[]> {
  const res = await fetch(gw!.url + '/v1/schemas');
  expect(res.status).toBe(200);
  return ((await res.json()) as { schemas: Served[] }).schemas;
}

/** Submits an example, takes its message from the destination's mailbox and opens it with the demo key. */
async function openedMessageOf(file: string, destinationId: string, mailboxToken: string, keyName = destinationId) {
  const example = examples.find((e) => e.file === file)!;
  const accepted = await postJson(gw!.url, '/v1/submissions', example.envelope);
  expect(accepted.status).toBe(202);
  const messageId = (accepted.body.destinations as { destinationId: string; messageId: string }[]).find(
    (d) => d.destinationId === destinationId,
  )!.messageId;
  // The delivery worker runs in a thread of its own: the message reaches the mailbox shortly after the 202.
  const fetched = await pollValue(
    () =>
      fetch(`${gw!.url}/v1/mailbox/${destinationId}/messages/${messageId}`, {
        headers: { authorization: `Bearer ${mailboxToken}` },
      }),
    (res) => res.status === 200,
  );
  expect(fetched.status).toBe(200);
  const container = await fetched.text();
  const jwks = (await (await fetch(gw!.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
  return openSealedMessage(container, {
    recipientKeys: [demoKey(keyName)],
    gatewayJwks: jwks,
    expectedDestinationId: destinationId,
  });
}

describe('GET /v1/schemas', () => {
  it("lists the XSD profiles and the JSON services' schemas, publicly", async () => {
    const schemas = await index();
    expect(schemas.filter((s) => s.kind === 'xsd').map((s) => s.schemaUri)).toEqual(
      expect.arrayContaining([
        'amtsbote-profile:xgewerbeanzeige/2.2',
        'amtsbote-profile:xgewerbeanzeige/2.1',
        'amtsbote-profile:xmeld/26.11',
      ]),
    );
    expect(schemas.filter((s) => s.kind === 'json-schema').map((s) => s.schemaUri)).toEqual(
      expect.arrayContaining([
        'https://amtsbote.dev/schemas/services/bewohnerparkausweis/1.json',
        'https://amtsbote.dev/schemas/delivered/maengelmelder-georeport/1.json',
      ]),
    );
    for (const schema of schemas) expect((await fetch(gw!.url + schema.path)).status, schema.path).toBe(200);
  });

  it('serves the JSON Schema a JSON message names as schemaUri, and the data meet it', async () => {
    const opened = await openedMessageOf(
      'dresden-neustadt.json',
      'dresden-bewohnerparkausweis',
      'dresden-buergerdienste-demo-token',
      'dresden-buergerdienste',
    );
    const metadata = opened.metadata as unknown as {
      standard: { name: string; schemaSet: string };
      contentStructure: { data: { submissionSchema: { schemaUri: string } } };
    };
    expect(metadata.standard.name).toBe('json');
    const schemaUri = metadata.contentStructure.data.submissionSchema.schemaUri;
    expect(metadata.standard.schemaSet).toBe(schemaUri);
    const served = (await index()).find((s) => s.schemaUri === schemaUri)!;
    const res = await fetch(gw!.url + served.path);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const schema = (await res.json()) as { $id: string };
    expect(schema.$id).toBe(schemaUri);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(ajv.validate(schema, JSON.parse(opened.data.toString('utf8')))).toBe(true);
  });

  it('serves the XSD profile a message names as schemaSet, with every relative import beside it', async () => {
    const opened = await openedMessageOf(
      'dresden-einzelunternehmen.json',
      'dresden-gewerbeamt',
      'dresden-mailbox-demo-token',
    );
    const schemaSet = (opened.metadata as { standard: { schemaSet: string } }).standard.schemaSet;
    expect(schemaSet).toBe('amtsbote-profile:xgewerbeanzeige/2.2');
    const served = (await index()).find((s) => s.schemaUri === schemaSet)!;
    const root = await (await fetch(gw!.url + served.path)).text();
    expect(root).toBe(readFileSync(join(projectRoot, 'xsd/xgewerbeanzeige/2.2/xgewerbeanzeige.xsd'), 'utf8'));
    const imports = [...root.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const location of imports) {
      const res = await fetch(new URL(location, gw!.url + served.path));
      expect(res.status, location).toBe(200);
      expect(await res.text()).toBe(readFileSync(join(projectRoot, 'xsd/xgewerbeanzeige/2.2', location), 'utf8'));
    }
  });

  it('answers 404 problems for anything else, never a file outside the profile', async () => {
    for (const path of [
      '/v1/schemas/xsd/xgewerbeanzeige/2.2/..%2F..%2F..%2Fconfig%2Fgateway.yaml',
      '/v1/schemas/xsd/xgewerbeanzeige/2.2/nothing.xsd',
      '/v1/schemas/xsd/xgewerbeanzeige/9.9/xgewerbeanzeige.xsd',
      '/v1/schemas/json?uri=https%3A%2F%2Fexample.org%2Fx.json',
      '/v1/schemas/json',
    ]) {
      const res = await fetch(gw!.url + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});
