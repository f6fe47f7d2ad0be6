import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../src/config/routing-schema.js';
import { buildReceipt, openSealedMessage, sendReceipt } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, getJson, postJson, testFetch } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';
import { runCliAsync, spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { startReceiver } from '../helpers/outbox.js';
import { pollValue } from '../helpers/wait.js';
import { Webhook } from 'standardwebhooks';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-receipts-'));
const env = { AMTSBOTE_DATA_DIR: join(dir, 'data') };
let gateway: GatewayProcess;
const anmeldung = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;

/** A demo key as an owner-only file (a clone gives config/demo mode 644), and as JWK. */
function demoKey(name: string): { file: string; jwk: Record<string, unknown> } {
  const file = join(dir, `${name}.json`);
  copyFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), file);
  chmodSync(file, 0o600);
  return { file, jwk: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
}

beforeAll(async () => {
  gateway = await spawnGateway(env);
  // GewAnzV: the statistics office gets its message once the Gewerbeamt has taken the case.
  const current = await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor);
  const document = current.body.document as Routing;
  for (const rule of document.rules.filter((r) => r.region === '146120000000' && r.service === '99050012104000')) {
    rule.destinations = ['dresden-gewerbeamt'];
    rule.deferred = {
      after: 'dresden-gewerbeamt',
      destinations: ['statistik-sachsen'],
      maxWait: 'P7D',
      onTimeout: 'release',
    };
  }
  const saved = await adminCall(
    gateway.url,
    'PUT',
    '/routing',
    adminTokens.editor,
    { note: 'Statistik erst nach Annahme', document },
    { 'if-match': current.headers.get('etag')! },
  );
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  writeFileSync(join(dir, 'jwks.json'), await (await testFetch(gateway.url + '/.well-known/jwks.json')).text());
});
// (gateway is missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function submitAndFetch(reference: string, extra: Record<string, unknown> = {}) {
  const accepted = await postJson(gateway.url, '/v1/submissions', { ...anmeldung.envelope, reference, ...extra });
  expect(accepted.status).toBe(202);
  const destinations = accepted.body.destinations as { destinationId: string; messageId: string; status: string }[];
  expect(destinations.map((d) => [d.destinationId, d.status])).toEqual([
    ['dresden-gewerbeamt', 'pending'],
    ['statistik-sachsen', 'deferred'],
  ]);
  const messageId = destinations[0]!.messageId;
  const headers = { authorization: 'Bearer dresden-mailbox-demo-token' };
  // the mailbox adapter hands the message over within moments of the commit (longer on a busy machine)
  const res = await pollValue(
    () => testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages/${messageId}`, { headers }),
    (r) => r.status !== 404,
  );
  expect(res.status).toBe(200);
  const file = join(dir, `${messageId}.json`);
  writeFileSync(file, await res.text());
  return {
    submissionId: accepted.body.submissionId as string,
    messageId,
    file,
    statisticsId: destinations[1]!.messageId,
  };
}

const statusOf = async (submissionId: string) =>
  (await getJson(gateway.url, `/v1/submissions/${submissionId}`)).body as {
    status: string;
    destinations: { destinationId: string; status: string }[];
  };

describe('receipts from the specialist software', () => {
  it('accept with the kit: the case is accepted, the deferred statistics message is sealed and released, the log verifies', async () => {
    const portal = await startReceiver();
    const { submissionId, file, statisticsId, messageId } = await submitAndFetch('RECEIPT-ACCEPT', {
      callbackUrl: `${portal.url}/status`,
    });
    const enc = demoKey('dresden-gewerbeamt.encryption');
    const sig = demoKey('dresden-gewerbeamt.receipt-signing');
    // without blocking this process: the portal's callback server here must answer meanwhile
    const accepted = await runCliAsync([
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
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ state: 'accepted', released: 1 });
    const status = await statusOf(submissionId);
    expect(status.destinations.find((d) => d.destinationId === 'dresden-gewerbeamt')?.status).toBe('accepted');
    expect(['pending', 'delivered']).toContain(
      status.destinations.find((d) => d.destinationId === 'statistik-sachsen')?.status,
    );
    const box = await pollValue(
      () =>
        testFetch(`${gateway.url}/v1/mailbox/statistik-sachsen/messages/${statisticsId}`, {
          headers: { authorization: 'Bearer statistik-mailbox-demo-token' },
        }),
      (r) => r.status !== 404,
    );
    expect(box.status).toBe(200);
    const statisticsMessage = await box.text();
    const opened = await openSealedMessage(statisticsMessage, {
      recipientKeys: [demoKey('statistik-sachsen.encryption').jwk],
      gatewayJwks: JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] },
    });
    expect(opened.data.toString()).toContain('<xga:sta.gewerbemeldung.0100');
    // the accepted message has left the mailbox
    const listed = (await (
      await testFetch(`${gateway.url}/v1/mailbox/dresden-gewerbeamt/messages`, {
        headers: { authorization: 'Bearer dresden-mailbox-demo-token' },
      })
    ).json()) as { messages: { messageId: string }[] };
    expect(listed.messages.map((m) => m.messageId)).not.toContain(messageId);
    const events = await getJson(gateway.url, `/v1/submissions/${submissionId}/events`);
    const receipt = (events.body.events as { type: string; data: { receipt?: string; state?: string } }[]).find(
      (e) => e.data.state === 'accepted',
    );
    expect(receipt?.data.receipt).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const verified = await runCliAsync(['events', 'verify', submissionId], env);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('chain intact, 1 receipt signature(s) valid');

    // The portal's callbacks: through the outbox, signed with the portal's secret, carrying the log's seq.
    const secret = readFileSync(join(projectRoot, 'config/demo/amt24-callback.secret.DEVELOPMENT-ONLY'), 'utf8').trim();
    const callbacks = await pollValue(
      () =>
        portal.received.map(
          (r) =>
            new Webhook(secret).verify(r.body, {
              'webhook-id': String(r.headers['webhook-id']),
              'webhook-timestamp': String(r.headers['webhook-timestamp']),
              'webhook-signature': String(r.headers['webhook-signature']),
            }) as { status: string; seq: number; submissionId: string },
        ),
      (seen) => seen.some((c) => c.status === 'accepted'),
    );
    await portal.close();
    expect(callbacks.map((c) => c.status)).toContain('accepted');
    expect(callbacks.every((c) => c.submissionId === submissionId)).toBe(true);
    // seq orders callbacks that may arrive out of order: unique, and the accept's is later than the first's
    expect(callbacks.find((c) => c.status === 'accepted')!.seq).toBeGreaterThan(
      Math.min(...callbacks.map((c) => c.seq)),
    );
    expect(new Set(callbacks.map((c) => c.seq)).size).toBe(callbacks.length);
  });

  it("refuses callback URLs outside the portal's allow-list", async () => {
    const res = await postJson(gateway.url, '/v1/submissions', {
      ...anmeldung.envelope,
      callbackUrl: 'http://169.254.169.254/latest/meta-data',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: '/callbackUrl', detail: "host not in the portal's allow-list" }]);
    const other = await postJson(
      gateway.url,
      '/v1/submissions',
      { ...loadExamples().find((e) => e.file === 'leipzig-gmbh.json')!.envelope, callbackUrl: 'http://127.0.0.1:1/cb' },
      { authorization: 'Bearer leipzig-portal-demo-token' },
    );
    expect(other.status).toBe(400);
  });

  it("refuses a replayed jti, another destination's key, wrong tags and an unknown case — changing nothing", async () => {
    const { submissionId, file } = await submitAndFetch('RECEIPT-NEGATIVE');
    const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
    const opened = await openSealedMessage(readFileSync(file, 'utf8'), {
      recipientKeys: [demoKey('dresden-gewerbeamt.encryption').jwk],
      gatewayJwks: jwks,
    });
    const own = demoKey('dresden-gewerbeamt.receipt-signing').jwk;
    const foreign = { ...demoKey('leipzig-gewerbeamt.receipt-signing').jwk, kid: own.kid };
    const foreignSigned = await sendReceipt(
      gateway.url,
      await buildReceipt(opened, { signingJwk: foreign, decision: { accept: true } }),
    );
    expect(foreignSigned.status).toBe(422);
    expect(foreignSigned.body).toContain('signature');
    const wrongTags = await sendReceipt(
      gateway.url,
      await buildReceipt(
        { ...opened, authenticationTags: { ...opened.authenticationTags, data: 'AAAAAAAAAAAAAAAAAAAAAA' } },
        { signingJwk: own, decision: { accept: true } },
      ),
    );
    expect(wrongTags.status).toBe(422);
    expect(wrongTags.body).toContain('tags-mismatch');
    const unknownCase = await sendReceipt(
      gateway.url,
      await buildReceipt(
        { ...opened, metadata: { ...opened.metadata, submissionId: '00000000-0000-4000-8000-00000000dead' } },
        { signingJwk: own, decision: { accept: true } },
      ),
    );
    expect(unknownCase.status).toBe(422);
    expect((await statusOf(submissionId)).destinations[0]?.status).toBe('delivered');

    const problems = [
      {
        type: 'https://example.org/problems/unvollstaendig',
        title: 'Angaben unvollständig',
        detail: 'Die Handwerkskarte fehlt.',
      },
    ];
    const reject = await buildReceipt(opened, {
      signingJwk: own,
      decision: { accept: false, problems },
      jti: '6f1c1d8e-2b1a-4c55-9d3e-0a1b2c3d4e5f',
    });
    expect((await sendReceipt(gateway.url, reject)).status).toBe(202);
    expect((await sendReceipt(gateway.url, reject)).status).toBe(409);
    const status = await statusOf(submissionId);
    expect(status.status).toBe('rejected');
    expect(status.destinations.find((d) => d.destinationId === 'statistik-sachsen')?.status).toBe('cancelled');
    const events = await getJson(gateway.url, `/v1/submissions/${submissionId}/events`);
    expect(JSON.stringify(events.body)).toContain('Die Handwerkskarte fehlt.');
  });

  it("lists a portal's submissions for reconciliation, by status and time", async () => {
    const rejected = await getJson(gateway.url, '/v1/submissions?status=rejected');
    expect((rejected.body.submissions as { reference: string }[]).map((s) => s.reference)).toEqual([
      'RECEIPT-NEGATIVE',
    ]);
    const page = await getJson(gateway.url, '/v1/submissions?limit=1');
    expect(page.body.next).toBeDefined();
    const next = await getJson(gateway.url, `/v1/submissions?limit=1&after=${page.body.next as string}`);
    expect((next.body.submissions as { submissionId: string }[])[0]?.submissionId).not.toBe(
      (page.body.submissions as { submissionId: string }[])[0]?.submissionId,
    );
    expect(
      (await getJson(gateway.url, '/v1/submissions?status=rejected', 'leipzig-portal-demo-token')).body.submissions,
    ).toEqual([]);
  });
});
