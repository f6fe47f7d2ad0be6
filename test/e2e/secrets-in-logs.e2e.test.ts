import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, getJson, multipartOf, postJson } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';

// Marker values in every place a secret or personal data enters the gateway; afterwards no log line and no
// file of the data dir may contain one of them.
const markers = {
  hmacSecret: 'MRKhmacsecret-7f0c2a9d4e1b8f3a6c5d0e9b2a7f4c1d',
  portalToken: 'MRKportaltoken-b41d',
  adminToken: 'MRKadmintoken-9c2e',
  mailboxToken: 'MRKmailboxtoken-33aa',
  familyName: 'Mrkzwiebelhausen',
  givenName: 'Mrkfriedlinde',
  email: 'mrk.privat@mail.example',
  birthPlace: 'Mrkstadt an der Mrke',
  attachmentName: 'Mrkausweis-Scan',
  query: 'MRKquery-55e1',
  idempotencyHeader: 'MRKidempotency',
};

const template = loadExamples().find(
  (e) => !e.invalid && e.service === 'gewerbeanmeldung' && e.envelope.regionKey === '146120000000',
)!;
const persons = template.envelope.data.persons as Record<string, unknown>[];
const envelope = {
  ...template.envelope,
  data: {
    ...template.envelope.data,
    persons: [
      {
        ...persons[0],
        familyName: markers.familyName,
        givenNames: markers.givenName,
        email: markers.email,
        birthPlace: markers.birthPlace,
      },
    ],
  },
  attachments: [
    {
      id: 'ausweis',
      filename: `${markers.attachmentName}.pdf`,
      mediaType: 'application/pdf',
      content: Buffer.from('%PDF-1.7 marker test').toString('base64'),
    },
  ],
};

let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess;
let rotatedToken = '';
beforeAll(async () => {
  config = copyConfig({ settings: { hmacSecret: 'env:AMTSBOTE_HMAC_SECRET' } });
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-secrets-'));
  gateway = await spawnGateway({
    AMTSBOTE_CONFIG: config.configFile,
    AMTSBOTE_DATA_DIR: dataDir,
    AMTSBOTE_HMAC_SECRET: markers.hmacSecret,
    AMTSBOTE_LOG_LEVEL: 'debug',
  });
});
// (each may be missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) rmSync(dataDir, { recursive: true, force: true });
  (config as ConfigCopy | undefined)?.remove();
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe('secrets and personal data never reach logs or the data dir', () => {
  it('drives every surface with marker values', async () => {
    // personal data, as JSON and as multipart, with an idempotency key
    expect(
      (await postJson(gateway.url, '/v1/submissions', envelope, { 'idempotency-key': markers.idempotencyHeader }))
        .status,
    ).toBe(202);
    const multipart = await fetch(gateway.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: 'Bearer amt24-demo-token' },
      body: multipartOf({ ...envelope, reference: 'MULTIPART-1' }),
    });
    expect(multipart.status).toBe(202);
    // personal data in a refused submission (a control character in the name)
    const refused = await postJson(gateway.url, '/v1/submissions', {
      ...envelope,
      data: { ...envelope.data, persons: [{ ...persons[0], familyName: `${markers.familyName}\u0007` }] },
    });
    expect(refused.status).toBe(422);
    // wrong tokens on every API
    expect(
      (await postJson(gateway.url, '/v1/submissions', envelope, { authorization: `Bearer ${markers.portalToken}` }))
        .status,
    ).toBe(401);
    expect((await adminCall(gateway.url, 'GET', '/routing', markers.adminToken)).status).toBe(401);
    expect((await getJson(gateway.url, '/v1/mailbox/dresden-gewerbeamt/messages', markers.mailboxToken)).status).toBe(
      401,
    );
    // a query string with a marker
    expect((await getJson(gateway.url, `/v1/submissions?since=${markers.query}`)).status).toBe(400);
    // a new portal token, shown once in the answer and nowhere else
    const rotated = await adminCall(gateway.url, 'POST', '/portals/leipzig-portal/rotate-token', adminTokens.editor);
    expect(rotated.status).toBe(200);
    rotatedToken = rotated.body.token as string;
    // the mailbox is read with its real token (the first fetch delivers)
    expect(
      (await getJson(gateway.url, '/v1/mailbox/dresden-gewerbeamt/messages', 'dresden-mailbox-demo-token')).status,
    ).toBe(200);
  });

  it('finds none of them in the log output', () => {
    const log = gateway.output();
    expect(log.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries({ ...markers, rotatedToken }))
      expect(log.includes(value), `${name} in the log`).toBe(false);
    for (const token of ['amt24-demo-token', adminTokens.editor, 'dresden-mailbox-demo-token'])
      expect(log.includes(token), 'a valid token in the log').toBe(false);
  });

  it('finds none of them in any file of the data dir', async () => {
    // stop first, so that the WAL has been written through and every file is final
    await gateway.stop();
    const files = filesBelow(dataDir);
    expect(files.some((f) => f.endsWith('amtsbote.sqlite'))).toBe(true);
    // the Idempotency-Key too: the store keeps its keyed hash only
    const secrets = Object.entries({ ...markers, rotatedToken });
    for (const file of files) {
      const content = readFileSync(file);
      for (const [name, value] of secrets) expect(content.includes(value), `${name} in ${file}`).toBe(false);
    }
  });
});
