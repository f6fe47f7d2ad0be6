import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../../src/receiver/index.js';
import { loadExamples } from '../../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../../helpers/http.js';
import { eventually, startReceiver, type TestReceiver } from '../../helpers/outbox.js';
import { projectRoot } from '../../helpers/paths.js';
import { breakDestination, editRouting } from '../../helpers/routing-edit.js';

let gw: TestGateway;
let receiver: TestReceiver;
beforeAll(async () => {
  gw = await startTestGateway();
  receiver = await startReceiver();
});
afterAll(async () => {
  await gw.stop();
  await receiver.close();
});

const chemnitz = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
)!;

describe('dead letters and replay', () => {
  it('dead-letters, then replays with reroute to the destination the fixed routing names, re-sealed for it', async () => {
    // Chemnitz's endpoint is unreachable and gets one attempt only.
    await editRouting(
      gw.url,
      (r) => {
        breakDestination(r, 'chemnitz-gewerbeamt');
      },
      'Chemnitz: Endpunkt außer Betrieb',
    );
    const accepted = await postJson(gw.url, '/v1/submissions', chemnitz.envelope);
    expect(accepted.status).toBe(202);
    const messageId = (accepted.body.destinations as { messageId: string }[])[0]!.messageId;
    const dead = await eventually(
      () => adminCall(gw.url, 'GET', '/dead-letters?destination=chemnitz-gewerbeamt', adminTokens.viewer),
      (r) => (r.body.deliveries as { id: string }[]).some((d) => d.id === messageId),
    );
    expect(
      (dead.body.deliveries as { id: string; lastError: string }[]).find((d) => d.id === messageId)?.lastError,
    ).toMatch(/after 1 attempts/);
    const attempts = await adminCall(gw.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer);
    expect(attempts.body.attempts).toEqual([expect.objectContaining({ outcome: 'retry' })]);
    expect(JSON.stringify(attempts.body)).not.toContain('Müller');

    // The fix: a new destination for Chemnitz, the rule points at it.
    await editRouting(
      gw.url,
      (r) => {
        const old = r.destinations.find((x) => x.id === 'chemnitz-gewerbeamt')!;
        r.destinations.push({
          ...structuredClone(old),
          id: 'chemnitz-neu',
          name: 'Chemnitz, neues Fachverfahren',
          adapter: { ...old.adapter, url: receiver.url + '/eingang' } as typeof old.adapter,
          retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.1, maxAttempts: 5 },
        });
        r.rules
          .filter((rule) => rule.region === '145110000000')
          .forEach((rule) => {
            rule.destinations = ['chemnitz-neu'];
          });
      },
      'Chemnitz: neues Fachverfahren',
    );

    const body = {
      filter: { destination: 'chemnitz-gewerbeamt' },
      reroute: true,
      note: 'nach Umzug des Fachverfahrens',
    };
    expect((await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.viewer, body)).status).toBe(403);
    const dry = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, { ...body, dryRun: true });
    expect(dry.body).toMatchObject({ dryRun: true, replayed: 0 });
    expect(dry.body.entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ messageId, from: 'chemnitz-gewerbeamt', to: 'chemnitz-neu' })]),
    );
    expect(receiver.received).toHaveLength(0);

    expect(dry.body.planId).toEqual(expect.any(String));
    const done = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: dry.body.planId,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.replayed).toBeGreaterThanOrEqual(1);
    await eventually(
      () => Promise.resolve(receiver.received.length),
      (n) => n >= 1,
    );
    const request = receiver.received.find((r) => r.headers['amtsbote-message-id'] === messageId)!;
    expect(request).toBeDefined();
    const key = JSON.parse(
      readFileSync(
        join(projectRoot, 'config/demo/chemnitz-gewerbeamt.encryption.private-jwk.DEVELOPMENT-ONLY.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
    const opened = await openSealedMessage(request.body, {
      recipientKeys: [key],
      gatewayJwks: jwks,
      expectedDestinationId: 'chemnitz-neu',
    });
    expect(opened.data.toString('utf8')).toContain('<xga:alg.gewerbemeldung.0300');
    const status = await eventually(
      () => adminCall(gw.url, 'GET', `/deliveries/${messageId}`, adminTokens.viewer),
      (r) => r.body.state === 'delivered',
    );
    expect(status.body).toMatchObject({ state: 'delivered', destinationId: 'chemnitz-neu' });
    const audit = await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer);
    expect((audit.body.entries as { action: string; actor: string; detail: { note: string } }[])[0]).toMatchObject({
      action: 'dead-letters.replay-reroute',
      actor: 'landesbetreiber',
      detail: { note: 'nach Umzug des Fachverfahrens', planId: dry.body.planId },
    });
  });

  it('counts attempts per destination and outcome, and breaker states, in metrics without personal data or ids', async () => {
    const text = await gw.metrics.registry.metrics();
    expect(text).toMatch(/amtsbote_delivery_attempts_total\{destination="chemnitz-neu",outcome="delivered"\} [1-9]/);
    expect(text).toMatch(/amtsbote_delivery_attempts_total\{destination="chemnitz-gewerbeamt",outcome="retry"\} [1-9]/);
    expect(text).toMatch(/amtsbote_circuit_breaker_state\{destination="chemnitz-neu"\} 0/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('shows destinations with their circuit state', async () => {
    const res = await adminCall(gw.url, 'GET', '/destinations', adminTokens.viewer);
    expect(res.body.destinations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'chemnitz-neu',
          adapter: 'http',
          breaker: expect.stringMatching(/closed|open|half-open/) as unknown,
        }),
      ]),
    );
  });
});

describe('replay plans', () => {
  it("replays only a dry run's plan, for the admin who made it, and refuses a stale plan with 409 — replaying nothing", async () => {
    await editRouting(
      gw.url,
      (r) => {
        breakDestination(r, 'chemnitz-neu');
      },
      'Chemnitz: neues Fachverfahren außer Betrieb',
    );
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const accepted = await postJson(gw.url, '/v1/submissions', chemnitz.envelope);
      expect(accepted.status).toBe(202);
      ids.push((accepted.body.destinations as { messageId: string }[])[0]!.messageId);
    }
    const [first, second] = ids as [string, string];
    await eventually(
      () => adminCall(gw.url, 'GET', '/dead-letters?destination=chemnitz-neu', adminTokens.viewer),
      (r) => ids.every((id) => (r.body.deliveries as { id: string }[]).some((d) => d.id === id)),
    );
    const state = async (id: string) =>
      (await adminCall(gw.url, 'GET', `/deliveries/${id}`, adminTokens.viewer)).body.state;

    // no plan, no replay
    const unplanned = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      ids: [first],
      note: 'ohne Probelauf',
    });
    expect(unplanned.status).toBe(400);
    expect(unplanned.body.errors).toEqual([expect.objectContaining({ pointer: '/planId' })]);
    expect(await state(first)).toBe('dead-lettered');

    const one = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      ids: [first],
      dryRun: true,
      note: 'nur die erste',
    });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      dryRun: true,
      reroute: false,
      entries: [expect.objectContaining({ messageId: first, from: 'chemnitz-neu' })],
    });
    const all = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      filter: { destination: 'chemnitz-neu' },
      dryRun: true,
      note: 'alle',
    });
    expect((all.body.entries as { messageId: string }[]).map((e) => e.messageId)).toEqual(
      expect.arrayContaining([first, second]),
    );

    expect(
      (await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.viewer, { planId: one.body.planId })).status,
    ).toBe(403);
    const foreign = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.leipzigEditor, {
      planId: one.body.planId,
    });
    expect(foreign.status).toBe(404);
    expect(await state(first)).toBe('dead-lettered');

    const done = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: one.body.planId,
    });
    expect(done.body).toMatchObject({
      dryRun: false,
      replayed: 1,
      entries: [expect.objectContaining({ messageId: first })],
    });

    // The plan for both was made before the first was replayed: it no longer shows what would happen.
    const stale = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: all.body.planId,
    });
    expect(stale.status).toBe(409);
    expect(stale.type).toMatch(/problem\+json/);
    expect(stale.body).toMatchObject({
      type: 'https://amtsbote.dev/problems/replay-plan-stale',
      planId: all.body.planId,
      reason: 'changed',
      errors: [{ pointer: '/planId' }],
    });
    expect(await state(second)).toBe('dead-lettered');
    const again = await adminCall(gw.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: one.body.planId,
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('used');
  });
});
