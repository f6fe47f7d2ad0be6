import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { buildReply, openSealedMessage } from '../../src/receiver/index.js';
import { openReply } from '../../src/portal-kit/index.js';
import { launchBrowser, wcagViolations } from '../helpers/browser.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, getJson, postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCliAsync, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { pollValue } from '../helpers/wait.js';

// Issue 24: the authority answers through the gateway — a sealed reply from the Dresden Gewerbeamt's procedure
// (a mailbox destination) back to the portal amt24, countersigned by the gateway and opened by the portal kit.
const dir = mkdtempSync(join(tmpdir(), 'amtsbote-replies-'));
const env = { AMTSBOTE_DATA_DIR: join(dir, 'data') };
const mailbox = { authorization: 'Bearer dresden-mailbox-demo-token' };
const anmeldung = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;
const portalKey = JSON.parse(
  readFileSync(join(projectRoot, 'test/fixtures/keys/portal-reply-1.private-jwk.DEVELOPMENT-ONLY.json'), 'utf8'),
) as Record<string, unknown>;
const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...portalPublicKey } = portalKey;
const pdf = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.from('Bescheid über die Gewerbeanmeldung\n'),
  Buffer.alloc(2048, 7),
]);
const notice = Buffer.from(JSON.stringify({ bescheid: 'Gewerbeanmeldung bestätigt', aktenzeichen: 'GEW-2026-0815' }));

let gateway: GatewayProcess;
let config: ConfigCopy;
let portal: TestReceiver;
let gatewayJwks: { keys: Record<string, unknown>[] };

/** A demo key as an owner-only file (a clone gives config/demo mode 644), and as JWK. */
function demoKey(name: string): { file: string; jwk: Record<string, unknown> } {
  const file = join(dir, `${name}.json`);
  copyFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
  chmodSync(file, 0o600);
  return { file, jwk: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
}

beforeAll(async () => {
  // every reply not yet fetched counts as undelivered at once, so the operator's view can be seen
  config = copyConfig({ settings: { replyPickupDays: 0 } });
  gateway = await spawnGateway({ ...env, AMTSBOTE_CONFIG: config.configFile });
  portal = await startReceiver();
  const jwksText = await (await testFetch(gateway.url + '/.well-known/jwks.json')).text();
  writeFileSync(join(dir, 'jwks.json'), jwksText);
  gatewayJwks = JSON.parse(jwksText) as typeof gatewayJwks;
});
afterAll(async () => {
  await (portal as TestReceiver | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Submits as amt24, takes the Gewerbeamt's message from its mailbox, and accepts it with the receiver CLI. */
async function submitFetchAccept(reference: string) {
  const accepted = await postJson(gateway.url, '/v1/submissions', {
    ...anmeldung.envelope,
    reference,
    callbackUrl: `${portal.url}/status`,
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const destinations = accepted.body.destinations as { destinationId: string; messageId: string }[];
  const messageId = destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')!.messageId;
  const res = await pollValue(
    () => testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages/${messageId}`, { headers: mailbox }),
    (r) => r.status !== 404,
  );
  expect(res.status).toBe(200);
  const text = await res.text();
  const file = join(dir, `${messageId}.json`);
  writeFileSync(file, text);
  const enc = demoKey('dresden-gewerbeamt.encryption');
  const sig = demoKey('dresden-gewerbeamt.receipt-signing');
  const acceptedByCli = await runCliAsync([
    'receiver',
    'accept',
    file,
    '--gateway',
    gateway.url,
    '--gateway-jwks',
    join(dir, 'jwks.json'),
    '--signing-key',
    sig.file,
    '--key',
    enc.file,
  ]);
  expect(acceptedByCli.status, acceptedByCli.stderr).toBe(0);
  const opened = await openSealedMessage(text, { recipientKeys: [enc.jwk], gatewayJwks });
  return { submissionId: accepted.body.submissionId as string, messageId, opened, signingJwk: sig.jwk };
}

const postReply = (body: unknown) =>
  testFetch(`${gateway.url}/v1/replies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A sample of the gateway's metrics (0 when absent), from its own metrics address. */
async function metric(name: string, labels: string): Promise<number> {
  const metricsUrl = /"metricsUrl":"([^"]+)"/.exec(gateway.output())?.[1];
  if (!metricsUrl) throw new Error('the gateway did not say where its metrics are');
  const text = await (await testFetch(metricsUrl)).text();
  // counts only: no submission, message or reply ids among the labels
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** The admin page's Replies tab (real Chromium) lists the reply, in German, without any WCAG 2.1 AA violation. */
async function seeOnAdminPage(replyId: string) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').fill(adminTokens.viewer);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.goto(`${gateway.url}/admin/#/replies`);
    await page.getByRole('heading', { level: 1, name: 'Antworten' }).waitFor();
    const row = page.locator('#replies-table tbody tr', { hasText: replyId });
    await row.waitFor();
    expect(await row.textContent()).toContain('Bescheid');
    expect(await page.locator('#replies-undelivered').textContent()).toBe('Nicht binnen 0 Tagen abgeholt: 1');
    expect(await page.locator('main').textContent()).not.toContain('GEW-2026-0815');
    expect(await wcagViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
}

describe('replies from the authority to the portal', () => {
  it('refuses a reply to a submission without any reply key, and its status says it cannot be answered', async () => {
    const { submissionId, opened, signingJwk } = await submitFetchAccept('REPLY-NONE');
    const status = await getJson(gateway.url, `/v1/submissions/${submissionId}`);
    expect(status.body.replies).toEqual({ possible: false, items: [] });
    const { reply } = await buildReply({
      message: opened,
      kind: 'notice',
      data: { content: notice, mediaType: 'application/json', schemaUri: 'urn:example:bescheid' },
      replyKey: portalPublicKey,
      signingJwk,
    });
    const res = await postReply(reply);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; reason: string };
    expect(problem.type).toBe('https://amtsbote.dev/problems/invalid-reply');
    expect(problem.reason).toBe('unanswerable');
    expect((await getJson(gateway.url, `/v1/submissions/${submissionId}/replies`)).body.replies).toEqual([]);
    expect(await metric('amtsbote_replies_refused_total', 'reason="unanswerable"')).toBe(1);
  });

  it('carries a sealed notice with a PDF to the portal: callback, fetch, both signatures, confirmation', async () => {
    const registered = await adminCall(gateway.url, 'POST', '/portals/amt24/reply-keys', adminTokens.editor, {
      jwk: portalPublicKey,
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const { submissionId, messageId, opened, signingJwk } = await submitFetchAccept('REPLY-NOTICE');

    // The destination learns the portal's reply key for its message (mailbox token, as for its messages).
    const keyRes = await testFetch(`${gateway.url}/v1/messages/${messageId}/reply-key`, { headers: mailbox });
    expect(keyRes.status).toBe(200);
    const { encryptionKey } = (await keyRes.json()) as { encryptionKey: Record<string, unknown> };
    expect(encryptionKey.kid).toBe(portalKey.kid);
    expect(encryptionKey.d).toBeUndefined();
    expect((await testFetch(`${gateway.url}/v1/messages/${messageId}/reply-key`)).status).toBe(404);

    const { reply, metadata } = await buildReply({
      message: opened,
      kind: 'notice',
      data: { content: notice, mediaType: 'application/json', schemaUri: 'urn:example:bescheid' },
      attachments: [{ id: 'bescheid', filename: 'bescheid.pdf', mediaType: 'application/pdf', content: pdf }],
      replyKey: encryptionKey,
      signingJwk,
    });
    const res = await postReply(reply);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { replyId: string; seq: number; statusUrl: string };
    expect(answer).toMatchObject({ replyId: metadata.replyId, seq: 1, submissionId });
    expect(res.headers.get('location')).toBe(answer.statusUrl);

    // Not fetched yet: undelivered for the operator (replyPickupDays is 0 here), without content.
    const undelivered = await adminCall(gateway.url, 'GET', '/replies/undelivered', adminTokens.viewer);
    expect(undelivered.status).toBe(200);
    expect(undelivered.body).toMatchObject({
      pickupDays: 0,
      replies: [{ replyId: metadata.replyId, submissionId, kind: 'notice', destinationId: 'dresden-gewerbeamt' }],
    });
    expect(JSON.stringify(undelivered.body)).not.toContain('GEW-2026-0815');
    expect(await metric('amtsbote_replies_undelivered', 'kind="notice"')).toBe(1);
    await seeOnAdminPage(metadata.replyId);

    // The same reply again: the first stands; a different body under the same id is a conflict.
    const again = await postReply(reply);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const { reply: other } = await buildReply({
      message: opened,
      kind: 'information',
      data: { content: Buffer.from('{}'), mediaType: 'application/json', schemaUri: 'urn:example:info' },
      replyKey: encryptionKey,
      signingJwk,
      replyId: metadata.replyId,
    });
    expect((await postReply(other)).status).toBe(409);

    // The portal's callback, signed per Standard Webhooks, through the outbox.
    const secret = readFileSync(join(projectRoot, 'config/demo/amt24-callback.secret.DEVELOPMENT-ONLY'), 'utf8').trim();
    const callbacks = await pollValue(
      () =>
        portal.received.map(
          (r) =>
            new Webhook(secret).verify(r.body, {
              'webhook-id': String(r.headers['webhook-id']),
              'webhook-timestamp': String(r.headers['webhook-timestamp']),
              'webhook-signature': String(r.headers['webhook-signature']),
            }) as { type?: string; replyId?: string; replyUrl?: string; submissionId: string },
        ),
      (seen) => seen.some((c) => c.type === 'reply-received' && c.replyId === metadata.replyId),
    );
    const callback = callbacks.find((c) => c.type === 'reply-received' && c.replyId === metadata.replyId)!;
    expect(callback.submissionId).toBe(submissionId);

    // Another portal: not found. The submitting portal: the reply, which its kit opens.
    const foreign = await getJson(
      gateway.url,
      callback.replyUrl!.slice(gateway.url.length),
      'leipzig-portal-demo-token',
    );
    expect(foreign.status).toBe(404);
    const fetched = await getJson(gateway.url, callback.replyUrl!.slice(gateway.url.length));
    expect(fetched.status).toBe(200);
    const openedReply = await openReply(fetched.body, {
      privateKeys: portalKey,
      gatewayJwks,
      expectedSubmissionId: submissionId,
    });
    expect(openedReply.kind).toBe('notice');
    expect(openedReply.destinationId).toBe('dresden-gewerbeamt');
    expect(openedReply.countersignature.destinationKey.kid).toBe(signingJwk.kid);
    expect(openedReply.data.equals(notice)).toBe(true);
    expect(openedReply.attachments.get('bescheid')?.content.equals(pdf)).toBe(true);

    expect(await metric('amtsbote_replies_undelivered', 'kind="notice"')).toBe(0);
    expect((await adminCall(gateway.url, 'GET', '/replies/undelivered', adminTokens.viewer)).body.replies).toEqual([]);

    // Confirmation → event log → the destination sees it.
    const confirmPath = `/v1/submissions/${submissionId}/replies/${metadata.replyId}/confirmation`;
    const confirmed = await postJson(gateway.url, confirmPath, { outcome: 'accepted' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect((await postJson(gateway.url, confirmPath, { outcome: 'rejected', reason: 'x' })).status).toBe(409);
    const seen = await testFetch(answer.statusUrl, { headers: mailbox });
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ state: 'accepted', confirmation: { outcome: 'accepted' } });
    expect((await testFetch(answer.statusUrl)).status).toBe(404);

    const status = await getJson(gateway.url, `/v1/submissions/${submissionId}`);
    expect(status.body.replies).toMatchObject({
      possible: true,
      items: [{ replyId: metadata.replyId, kind: 'notice', destinationId: 'dresden-gewerbeamt', state: 'accepted' }],
    });
    const events = (await getJson(gateway.url, `/v1/submissions/${submissionId}/events`)).body.events as {
      type: string;
    }[];
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['reply-received', 'reply-confirmed']));
    const verified = await runCliAsync(['events', 'verify', submissionId], env);
    expect(verified.status, verified.stderr).toBe(0);

    // Counted once each, however often the portal fetched or confirmed.
    for (const outcome of ['received', 'fetched', 'accepted'])
      expect(await metric('amtsbote_replies_total', `kind="notice",outcome="${outcome}"`), outcome).toBe(1);
    expect(await metric('amtsbote_replies_total', 'kind="notice",outcome="rejected"')).toBe(0);
  });

  it('refuses a reply signed with another key, and one encrypted to a key that is not the portal’s', async () => {
    const { opened, signingJwk } = await submitFetchAccept('REPLY-BAD');
    const stranger = demoKey('leipzig-gewerbeamt.receipt-signing').jwk;
    const { reply: forged } = await buildReply({
      message: opened,
      kind: 'notice',
      data: { content: notice, mediaType: 'application/json', schemaUri: 'urn:example:bescheid' },
      replyKey: portalPublicKey,
      signingJwk: { ...stranger, kid: signingJwk.kid },
    });
    const res = await postReply(forged);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { reason: string }).reason).toBe('signature-invalid');
    const wrongKey = demoKey('leipzig-gewerbeamt.encryption').jwk;
    const { d: _wd, p: _wp, q: _wq, dp: _wdp, dq: _wdq, qi: _wqi, ...wrongPublic } = wrongKey;
    const { reply: misdirected } = await buildReply({
      message: opened,
      kind: 'notice',
      data: { content: notice, mediaType: 'application/json', schemaUri: 'urn:example:bescheid' },
      replyKey: wrongPublic,
      signingJwk,
    });
    const refused = await postReply(misdirected);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { reason: string }).reason).toBe('unknown-encryption-key');
    expect(await metric('amtsbote_replies_refused_total', 'reason="signature-invalid"')).toBe(1);
    expect(await metric('amtsbote_replies_refused_total', 'reason="unknown-encryption-key"')).toBe(1);
  });
});
