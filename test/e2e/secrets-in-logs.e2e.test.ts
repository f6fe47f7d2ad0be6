import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, getJson, multipartOf, postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { pollValue } from '../helpers/wait.js';
import { buildReply, openSealedMessage } from '../../src/receiver/index.js';
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
  replyData: 'MRKbescheidinhalt-Mrkzwiebelhausen',
  replyAttachment: 'MRKbescheid-pdf-inhalt',
  // a personal name in a reply's file name: it travels in the signed metadata, readable base64url
  replyAttachmentName: 'Bescheid_Marker_Xq7',
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

/**
 * Issue 24: a reply whose data and PDF carry markers, sent by the Gewerbeamt to the portal amt24 (which registers a
 * reply key first): the gateway stores only ciphertext, and logs nothing of it.
 */
async function replyWithMarkers(destinations: { destinationId: string; messageId: string }[]): Promise<void> {
  const portalKey = JSON.parse(
    readFileSync(join(projectRoot, 'test/fixtures/keys/portal-reply-1.private-jwk.DEVELOPMENT-ONLY.json'), 'utf8'),
  ) as Record<string, unknown>;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...replyKey } = portalKey;
  const registered = await adminCall(gateway.url, 'POST', '/portals/amt24/reply-keys', adminTokens.editor, {
    jwk: replyKey,
  });
  expect(registered.status).toBe(201);
  const demo = (name: string) =>
    JSON.parse(
      readFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
    ) as Record<string, unknown>;
  const messageId = destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')!.messageId;
  const headers = { authorization: 'Bearer dresden-mailbox-demo-token' };
  const box = await pollValue(
    () => testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages/${messageId}`, { headers }),
    (r) => r.status !== 404,
  );
  expect(box.status).toBe(200);
  const jwks = (await (await testFetch(gateway.url + '/.well-known/jwks.json')).json()) as {
    keys: Record<string, unknown>[];
  };
  const opened = await openSealedMessage(await box.text(), {
    recipientKeys: [demo('dresden-gewerbeamt.encryption')],
    gatewayJwks: jwks,
  });
  const { reply } = await buildReply({
    message: opened,
    kind: 'notice',
    data: {
      content: Buffer.from(JSON.stringify({ bescheid: markers.replyData })),
      mediaType: 'application/json',
      schemaUri: 'urn:example:bescheid',
    },
    attachments: [
      {
        id: 'bescheid',
        filename: `${markers.replyAttachmentName}.pdf`,
        mediaType: 'application/pdf',
        content: Buffer.from(markers.replyAttachment),
      },
    ],
    replyKey,
    signingJwk: demo('dresden-gewerbeamt.receipt-signing'),
  });
  const posted = await testFetch(`${gateway.url}/v1/replies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(reply),
  });
  expect(posted.status).toBe(202);
}

describe('secrets and personal data never reach logs or the data dir', () => {
  it('drives every surface with marker values', async () => {
    // personal data, as JSON and as multipart, with an idempotency key
    const accepted = await postJson(gateway.url, '/v1/submissions', envelope, {
      'idempotency-key': markers.idempotencyHeader,
    });
    expect(accepted.status).toBe(202);
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
    await replyWithMarkers(accepted.body.destinations as { destinationId: string; messageId: string }[]);
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
      // inside a JWS payload a value is base64url: the reply's file name must not be there in either form
      for (const form of base64urlForms(markers.replyAttachmentName))
        expect(content.includes(form), `replyAttachmentName as base64url in ${file}`).toBe(false);
    }
  });
});

/**
 * What `value` looks like inside any base64url text, at each of the three offsets it can start at: the characters
 * that depend on its bytes only (the first and last groups of four mix in the bytes around it).
 */
function base64urlForms(value: string): string[] {
  return [0, 1, 2].map((offset) => {
    const text = Buffer.from('x'.repeat(offset) + value, 'utf8').toString('base64url');
    return text.slice(offset === 0 ? 0 : 4, -4);
  });
}
