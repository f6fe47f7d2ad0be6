import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../../helpers/http.js';
import { pollValue } from '../../helpers/wait.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const leipzig = loadExamples().find(
  (e) => !e.invalid && e.envelope.serviceKey === '99050012104000' && e.envelope.regionKey === '147130000000',
)!;

/** Every instance learns of a new token from the store within moments: submits until accepted (bounded). */
function eventuallyAccepted(token: string): Promise<number> {
  return pollValue(
    async () =>
      (await postJson(gw.url, '/v1/submissions', leipzig.envelope, { authorization: `Bearer ${token}` })).status,
    (status) => status === 202,
    undefined,
    200,
  );
}

describe('admin portals API', () => {
  it('lists portals without token hashes', async () => {
    const res = await adminCall(gw.url, 'GET', '/portals', adminTokens.viewer);
    expect(res.status).toBe(200);
    expect(res.body.portals).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'amt24', activeTokens: 1 })]),
    );
    expect(JSON.stringify(res.body)).not.toContain('sha256:');
    const limited = await adminCall(gw.url, 'GET', '/portals', adminTokens.leipzigEditor);
    expect((limited.body.portals as { id: string }[]).map((p) => p.id)).toEqual(['leipzig-portal']);
  });

  it('adds a portal for editors only, within their regions, and shows the token once', async () => {
    const portal = {
      id: 'stadtportal-leipzig',
      name: 'Stadtportal Leipzig',
      services: ['99050012104000'],
      regions: ['14713'],
    };
    expect((await adminCall(gw.url, 'POST', '/portals', adminTokens.viewer, portal)).status).toBe(403);
    const outside = await adminCall(gw.url, 'POST', '/portals', adminTokens.leipzigEditor, {
      ...portal,
      regions: ['14'],
    });
    expect(outside.status).toBe(403);
    const created = await adminCall(gw.url, 'POST', '/portals', adminTokens.leipzigEditor, portal);
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^abt_/);
    expect(await eventuallyAccepted(token)).toBe(202);
    expect((await adminCall(gw.url, 'POST', '/portals', adminTokens.editor, portal)).status).toBe(409);
    const invalid = await adminCall(gw.url, 'POST', '/portals', adminTokens.editor, { ...portal, id: 'Bad Id' });
    expect(invalid.status).toBe(400);
    expect((invalid.body.errors as { pointer: string }[])[0]?.pointer).toBe('/id');
  });

  it('rotates a token: the new one works, the old one until the overlap ends', async () => {
    const rotated = await adminCall(gw.url, 'POST', '/portals/leipzig-portal/rotate-token', adminTokens.leipzigEditor);
    expect(rotated.status).toBe(200);
    expect(Date.parse(rotated.body.previousValidUntil as string)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(await eventuallyAccepted(rotated.body.token as string)).toBe(202);
    expect(await eventuallyAccepted('leipzig-portal-demo-token')).toBe(202);
    expect((await adminCall(gw.url, 'POST', '/portals/amt24/rotate-token', adminTokens.leipzigEditor)).status).toBe(
      404,
    );
    expect((await adminCall(gw.url, 'POST', '/portals/amt24/rotate-token', adminTokens.viewer)).status).toBe(403);
  });

  it('records adding portals and rotating tokens in the audit log, without the tokens', async () => {
    const entries = (await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer)).body.entries as {
      action: string;
      actor: string;
      detail: Record<string, unknown>;
    }[];
    const portalEntries = entries.filter((e) => e.action.startsWith('portals.'));
    expect(portalEntries.map((e) => [e.action, e.actor, e.detail.portalId])).toEqual([
      ['portals.rotate-token', 'leipzig-redaktion', 'leipzig-portal'],
      ['portals.add', 'leipzig-redaktion', 'stadtportal-leipzig'],
    ]);
    expect(JSON.stringify(portalEntries)).not.toMatch(/abt_|sha256:/);
  });
});
