import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../../src/config/routing-schema.js';
import { startOfDayInGermany } from '../../../src/http/admin/overview-routes.js';
import { loadExamples } from '../../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../../helpers/http.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const dresden = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '146120000000' && e.envelope.serviceKey === '99050012104000',
)!;

interface DestinationView {
  id: string;
  adapter: string;
  health: string;
  breaker: string;
  waiting: number;
  deadLetters: number;
  keys: { encryption: { kid: string; fingerprint: string }; receipt: { kid: string; fingerprint: string } };
}

describe('GET /admin/v1/overview and /me', () => {
  it("counts today's submissions by status and what waits, within the admin's regions", async () => {
    expect((await postJson(gw.url, '/v1/submissions', dresden.envelope)).status).toBe(202);
    // Dresden's Gewerbeamt is a mailbox: the message waits there for pickup.
    const all = await adminCall(gw.url, 'GET', '/overview', adminTokens.viewer);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ deadLetters: 0, openBreakers: [] });
    expect(all.body.deliveriesWaiting).toBeGreaterThanOrEqual(1);
    expect(
      (all.body.today as { submissionsByStatus: Record<string, number> }).submissionsByStatus.pending,
    ).toBeGreaterThanOrEqual(1);
    expect(all.body.oldestWaitingSeconds).toEqual(expect.any(Number));

    const leipzig = await adminCall(gw.url, 'GET', '/overview', adminTokens.leipzigEditor);
    expect(leipzig.body).toMatchObject({ deliveriesWaiting: 0, deadLetters: 0, today: { submissionsByStatus: {} } });
    expect(leipzig.body.oldestWaitingSince).toBeUndefined();
  });

  it('takes "today" as the day in Germany', () => {
    expect(startOfDayInGermany(new Date('2026-11-25T23:30:00Z')).toISOString()).toBe('2026-11-25T23:00:00.000Z');
    expect(startOfDayInGermany(new Date('2026-07-01T21:59:00Z')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('tells the page who is signed in and what they may do', async () => {
    expect((await adminCall(gw.url, 'GET', '/me', adminTokens.editor)).body).toEqual({
      id: 'landesbetreiber',
      name: 'Landesweiter IT-Betrieb (demo)',
      role: 'editor',
      canManageKeys: true,
    });
    expect((await adminCall(gw.url, 'GET', '/me', adminTokens.leipzigEditor)).body).toMatchObject({
      role: 'editor',
      regions: ['14713'],
      canManageKeys: false,
    });
    expect((await adminCall(gw.url, 'GET', '/me', adminTokens.viewer)).body).toMatchObject({
      role: 'viewer',
      canManageKeys: false,
    });
  });
});

describe('GET /admin/v1/destinations', () => {
  it('lists adapter, health, circuit state, queue and key fingerprints', async () => {
    const res = await adminCall(gw.url, 'GET', '/destinations', adminTokens.viewer);
    const destinations = res.body.destinations as DestinationView[];
    const dresdenGewerbe = destinations.find((d) => d.id === 'dresden-gewerbeamt')!;
    expect(dresdenGewerbe).toMatchObject({ adapter: 'mailbox', breaker: 'closed', health: 'ok', deadLetters: 0 });
    expect(dresdenGewerbe.waiting).toBeGreaterThanOrEqual(1);
    const configured = gw.routing.current().routing.destinations.find((d) => d.id === 'dresden-gewerbeamt')!;
    const jwk = (configured.encryptionKey as { jwk: { kid: string; n: string; e: string } }).jwk;
    expect(dresdenGewerbe.keys.encryption).toEqual({
      source: 'jwk',
      kid: jwk.kid,
      fingerprint: await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/"(n|d|p|q)":/);
  });

  it('shows a region-limited admin only the destinations that serve its regions', async () => {
    const ids = (
      (await adminCall(gw.url, 'GET', '/destinations', adminTokens.leipzigEditor)).body
        .destinations as DestinationView[]
    ).map((d) => d.id);
    expect(ids).toContain('leipzig-gewerbeamt');
    expect(ids).not.toContain('dresden-gewerbeamt');
    expect(ids).not.toContain('chemnitz-gewerbeamt');
  });
});

describe('POST /admin/v1/routing/validate and the audit log', () => {
  it('answers field errors with pointers for an invalid document, and the diff for a valid one', async () => {
    const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.viewer);
    const document = structuredClone(current.body.document as Routing);
    document.rules[0]!.region = '1461x';
    const invalid = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.viewer, { document });
    expect(invalid.status).toBe(200);
    expect(invalid.body.valid).toBe(false);
    expect(invalid.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/document/rules/0/region',
        detail: expect.stringContaining('ARS') as unknown,
      }),
    ]);

    document.rules[0]!.region = '146120000000';
    document.rules[0]!.validUntil = '2099-01-01';
    const valid = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.viewer, { document });
    expect(valid.body).toMatchObject({ valid: true, errors: [], version: current.body.version });
    expect((valid.body.diff as { rules: { changed: unknown[] } }).rules.changed).toHaveLength(1);
    expect((await adminCall(gw.url, 'GET', '/routing', adminTokens.viewer)).body.version).toBe(current.body.version);
  });

  it('records a routing change with its note and what changed', async () => {
    const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.editor);
    const document = structuredClone(current.body.document as Routing);
    document.rules[0]!.validUntil = '2098-01-01';
    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Zuständigkeit befristet', document },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(saved.status).toBe(200);
    const [entry] = (await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer)).body.entries as {
      action: string;
      actor: string;
      detail: Record<string, unknown>;
    }[];
    expect(entry).toMatchObject({
      action: 'routing.change',
      actor: 'landesbetreiber',
      detail: { version: saved.body.version, note: 'Zuständigkeit befristet' },
    });
    expect(entry!.detail.diff).toMatchObject({
      rules: { changed: [`${document.rules[0]!.service}|${document.rules[0]!.region}|`] },
    });
  });

  it('records a failed sign-in without the token, and shows a region-limited admin only its own entries', async () => {
    expect((await adminCall(gw.url, 'GET', '/overview', 'guessed-token-123')).status).toBe(401);
    const entries = (await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer)).body.entries as {
      action: string;
      actor: string;
      detail: Record<string, unknown>;
    }[];
    expect(entries[0]).toMatchObject({
      action: 'admin.sign-in-failed',
      actor: 'unknown',
      detail: { reason: 'unknown-token', path: '/overview' },
    });
    expect(JSON.stringify(entries)).not.toContain('guessed-token-123');
    const limited = (await adminCall(gw.url, 'GET', '/audit', adminTokens.leipzigEditor)).body.entries as {
      actor: string;
    }[];
    expect(limited.every((e) => e.actor === 'leipzig-redaktion')).toBe(true);
  });
});
