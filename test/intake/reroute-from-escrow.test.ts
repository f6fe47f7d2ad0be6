import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../src/config/routing-schema.js';
import { buildReceipt, openSealedMessage, sendReceipt } from '../../src/receiver/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../fixtures/fitconnect-simulator/index.js';
import { loadExamples } from '../helpers/examples.js';
import { fitConnectDestination, secretEnv } from '../helpers/fitconnect.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../helpers/http.js';
import { eventually, startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { breakDestination, editRouting } from '../helpers/routing-edit.js';
import { processBoundMs } from '../helpers/wait.js';

/**
 * Re-sealing from the escrow copy for a FIT-Connect destination: a dead letter replayed with reroute to
 * one, and a message deferred behind an accept. Each must reach the (simulated) delivery service in
 * FIT-Connect's format, readable with the destination's key, with the data mapped for it.
 */
let sim: FitConnectSimulator;
let gw: TestGateway;
let receiver: TestReceiver;
const examples = loadExamples();
const withAttachment = examples.find((e) => e.file === 'leipzig-gmbh.json')!.envelope as unknown as {
  attachments: { content: string }[];
};
/**
 * Chemnitz's example with the Leipzig example's attachment, as a portal's report: attachments and their purpose must
 * survive the re-sealing too.
 */
const chemnitz = {
  envelope: {
    ...examples.find(
      (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
    )!.envelope,
    attachments: withAttachment.attachments.map((a) => ({ ...a, purpose: 'report' })),
  },
};
const demoJwk = (name: string) =>
  JSON.parse(
    readFileSync(join(projectRoot, `config/demo/${name}.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
  ) as Record<string, unknown>;

beforeAll(async () => {
  sim = await startFitConnectSimulator();
  // Adapters read their secrets from the process environment, as in production.
  process.env[secretEnv] = sim.clientSecret;
  receiver = await startReceiver();
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
  await receiver.close();
  await sim.close();
  Reflect.deleteProperty(process.env, secretEnv);
});

/** The simulator's submission that carries `reference`, once submitted (bounded wait). */
async function submittedWith(reference: string) {
  const deadline = Date.now() + processBoundMs;
  for (let i = 0; i < 5000 && Date.now() < deadline; i++) {
    for (const s of sim.submissions.values()) {
      if (s.state !== 'submitted') continue;
      const opened = await sim.subscriber.open(s.submissionId);
      if (
        (opened.metadata.additionalReferenceInfo as { senderReference?: string } | undefined)?.senderReference ===
        reference
      )
        return { submission: s, opened };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no submitted FIT-Connect submission with reference ${reference}`);
}

const fitDestination = () =>
  JSON.parse(
    JSON.stringify(
      fitConnectDestination(
        sim,
        'chemnitz-fitconnect',
        {},
        { name: 'Chemnitz, Gewerbeamt über FIT-Connect (simuliert)' },
      ),
    ),
  ) as Routing['destinations'][number];

describe('re-sealing from the escrow copy for a FIT-Connect destination', () => {
  it('replays a dead letter with reroute to a FIT-Connect destination, sealed in its format and mapped for it', async () => {
    await editRouting(
      gw.url,
      (r) => {
        breakDestination(r, 'chemnitz-gewerbeamt');
      },
      'Chemnitz: Endpunkt außer Betrieb',
    );
    const accepted = await postJson(gw.url, '/v1/submissions', { ...chemnitz.envelope, reference: 'RESEAL-REPLAY' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const messageId = (accepted.body.destinations as { messageId: string }[])[0]!.messageId;
    await eventually(
      () => adminCall(gw.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer),
      (r) => r.body.state === 'dead-lettered',
    );

    await editRouting(
      gw.url,
      (r) => {
        r.destinations.push(fitDestination());
        r.rules
          .filter((rule) => rule.region === '145110000000' && rule.service === '99050012104000')
          .forEach((rule) => {
            rule.destinations = ['chemnitz-fitconnect'];
          });
      },
      'Chemnitz: Gewerbeamt jetzt über FIT-Connect',
    );
    const plan = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      ids: [messageId],
      reroute: true,
      dryRun: true,
      note: 'Umstellung auf FIT-Connect',
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const replay = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: plan.body.planId,
    });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({
      replayed: 1,
      entries: [expect.objectContaining({ messageId, from: 'chemnitz-gewerbeamt', to: 'chemnitz-fitconnect' })],
    });

    const { submission, opened } = await submittedWith('RESEAL-REPLAY');
    expect(submission.publicService.identifier).toBe('urn:de:fim:leika:leistung:99050012104000');
    expect(opened.dataCty).toBe('application/xml');
    expect(opened.data).toContain('<xga:alg.gewerbemeldung.0300');
    expect(opened.metadata).toMatchObject({
      contentStructure: { data: { submissionSchema: { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2' } } },
    });
    expect([...opened.attachments.values()].map((a) => a.content)).toEqual([
      Buffer.from(withAttachment.attachments[0]!.content, 'base64'),
    ]);
    // The purpose came back out of the escrow copy into FIT-Connect's metadata.
    expect(opened.metadata).toMatchObject({
      contentStructure: { attachments: [expect.objectContaining({ purpose: 'report' })] },
    });
    const status = await eventually(
      () => adminCall(gw.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer),
      (r) => r.body.state === 'delivered',
    );
    expect(status.body).toMatchObject({ state: 'delivered', destinationId: 'chemnitz-fitconnect' });
  });

  it('seals a FIT-Connect destination deferred behind an accept once the accept arrives, not before', async () => {
    await editRouting(
      gw.url,
      (r) => {
        const d = r.destinations.find((x) => x.id === 'chemnitz-gewerbeamt')!;
        d.adapter = { ...d.adapter, url: receiver.url + '/eingang' } as typeof d.adapter;
        if (!r.destinations.some((x) => x.id === 'chemnitz-fitconnect')) r.destinations.push(fitDestination());
        r.rules
          .filter((rule) => rule.region === '145110000000' && rule.service === '99050012104000')
          .forEach((rule) => {
            rule.destinations = ['chemnitz-gewerbeamt'];
            rule.deferred = {
              after: 'chemnitz-gewerbeamt',
              destinations: ['chemnitz-fitconnect'],
              maxWait: 'P7D',
              onTimeout: 'release',
            };
          });
      },
      'Chemnitz: FIT-Connect-Kopie erst nach Annahme',
    );
    const accepted = await postJson(gw.url, '/v1/submissions', { ...chemnitz.envelope, reference: 'RESEAL-DEFERRED' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const destinations = accepted.body.destinations as { destinationId: string; messageId: string; status: string }[];
    expect(destinations.map((d) => [d.destinationId, d.status])).toEqual([
      ['chemnitz-gewerbeamt', 'pending'],
      ['chemnitz-fitconnect', 'deferred'],
    ]);

    const pushed = await eventually(
      () =>
        Promise.resolve(receiver.received.find((r) => r.headers['amtsbote-message-id'] === destinations[0]!.messageId)),
      (r) => r !== undefined,
    );
    const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const message = await openSealedMessage(pushed!.body, {
      recipientKeys: [demoJwk('chemnitz-gewerbeamt.encryption')],
      gatewayJwks: jwks,
    });
    const before = [...sim.submissions.values()].filter((s) => s.state === 'submitted').length;
    const receipt = await buildReceipt(message, {
      signingJwk: demoJwk('chemnitz-gewerbeamt.receipt-signing'),
      decision: { accept: true },
    });
    const sent = await sendReceipt(gw.url, receipt);
    expect(sent.status, sent.body).toBe(202);
    expect(JSON.parse(sent.body)).toMatchObject({ state: 'accepted', released: 1 });

    const { opened } = await submittedWith('RESEAL-DEFERRED');
    expect(opened.data).toContain('<xga:alg.gewerbemeldung.0300');
    expect([...sim.submissions.values()].filter((s) => s.state === 'submitted').length).toBe(before + 1);
    const status = await eventually(
      () => adminCall(gw.url, 'GET', `/deliveries/${destinations[1]!.messageId}`, adminTokens.viewer),
      (r) => r.body.state === 'delivered',
    );
    expect(status.body).toMatchObject({ state: 'delivered', destinationId: 'chemnitz-fitconnect' });
  });
});
