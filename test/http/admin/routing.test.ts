import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../../src/config/routing-schema.js';
import { loadExamples } from '../../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens, getJson, postJson } from '../../helpers/http.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const anmeldung = '99050012104000';
const examples = loadExamples().filter((e) => !e.invalid);
const chemnitzAnmeldung = examples.find(
  (e) => e.envelope.serviceKey === anmeldung && e.envelope.regionKey === '145110000000',
)!;

async function current() {
  const res = await adminCall(gw.url, 'GET', '/routing', adminTokens.viewer);
  expect(res.status).toBe(200);
  return {
    etag: res.headers.get('etag')!,
    version: res.body.version as number,
    document: res.body.document as Routing,
  };
}

describe('admin routing API', () => {
  it('needs an admin token', async () => {
    expect((await adminCall(gw.url, 'GET', '/routing', 'amt24-demo-token')).status).toBe(401);
    expect((await adminCall(gw.url, 'GET', '/routing', '')).status).toBe(401);
  });

  it('serves the current version with an ETag; routing.yaml seeded version 1', async () => {
    const { etag, version, document } = await current();
    expect(version).toBe(1);
    expect(etag).toBe('"1"');
    expect(document.rules.length).toBeGreaterThan(0);
    const versions = await adminCall(gw.url, 'GET', '/routing/versions', adminTokens.viewer);
    expect(versions.body.versions).toEqual([
      expect.objectContaining({ version: 1, author: 'config', note: 'seeded from routing.yaml' }),
    ]);
  });

  it('names the services and regions of the configuration beside their keys', async () => {
    const res = await adminCall(gw.url, 'GET', '/routing', adminTokens.viewer);
    const names = res.body.names as { services: Record<string, string>; regions: Record<string, string> };
    expect(names.regions['147130000000']).toBe('Stadt Leipzig');
    expect(names.services[anmeldung]).toMatch(/\S/);
    // every service a rule names has a name
    for (const rule of (res.body.document as Routing).rules)
      expect(names.services[rule.service], rule.service).toBeDefined();
  });

  it('gives each field error a code and values next to the English detail', async () => {
    const { document } = await current();
    const broken = structuredClone(document);
    broken.rules[0]!.region = '1471x';
    broken.rules[0]!.destinations = ['nirgendwo'];
    (broken.rules[1] as Record<string, unknown>).validFrom = 'bald';
    broken.rules[2]!.service = '99999999999999';
    const res = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.viewer, { document: broken });
    const errors = res.body.errors as {
      pointer: string;
      detail: string;
      code: string;
      params?: Record<string, unknown>;
    }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '/document/rules/0/region',
          code: 'ars-prefix',
          detail: expect.stringContaining('ARS') as unknown,
        }),
        expect.objectContaining({ pointer: '/document/rules/1/validFrom', code: 'date' }),
      ]),
    );
    // the unknown destination and service are found once the schema holds: fix the schema errors first
    broken.rules[0]!.region = document.rules[0]!.region;
    (broken.rules[1] as Record<string, unknown>).validFrom = '2027-01-01';
    const next = (await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.viewer, { document: broken })).body
      .errors as typeof errors;
    expect(next).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '/document/rules/0/destinations/0',
          code: 'unknown-destination',
          params: { id: 'nirgendwo' },
        }),
      ]),
    );
    broken.rules[0]!.destinations = document.rules[0]!.destinations;
    const last = (await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.viewer, { document: broken })).body
      .errors as typeof errors;
    expect(last).toEqual([
      expect.objectContaining({
        pointer: '/document/rules/2/service',
        code: 'unknown-service',
        params: { service: '99999999999999' },
      }),
    ]);
    const missing = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      regionKey: '147130000000',
    });
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: expect.stringMatching(/^(required|invalid)$/) as unknown }),
      ]),
    );
  });

  it('refuses a viewer, a missing If-Match, a stale one, a missing note and an invalid document — changing nothing', async () => {
    const { etag, document } = await current();
    const put = (token: string, body: unknown, headers: Record<string, string> = { 'if-match': etag }) =>
      adminCall(gw.url, 'PUT', '/routing', token, body, headers);
    expect((await put(adminTokens.viewer, { note: 'try', document })).status).toBe(403);
    expect((await put(adminTokens.editor, { note: 'no precondition', document }, {})).status).toBe(428);
    expect((await put(adminTokens.editor, { note: 'stale', document }, { 'if-match': '"99"' })).status).toBe(412);
    const noNote = await put(adminTokens.editor, { document });
    expect(noNote.status).toBe(400);
    expect((noNote.body.errors as { pointer: string }[])[0]?.pointer).toBe('/note');
    const broken = structuredClone(document);
    broken.rules[0]!.region = '14612X';
    (broken.rules[1] as { destinations: string[] }).destinations = ['nowhere'];
    const invalid = await put(adminTokens.editor, { note: 'broken', document: broken });
    expect(invalid.status).toBe(422);
    expect(invalid.type).toMatch(/problem\+json/);
    const pointers = (invalid.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/document/rules/0/region', '/document/rules/1/destinations/0']));
    const secret = structuredClone(document);
    const http = secret.destinations.find((d) => d.adapter.kind === 'http')!;
    (http.adapter as { webhookSecret: string }).webhookSecret = 'whsec_inline_secret_value';
    const inline = await put(adminTokens.editor, { note: 'inline secret', document: secret });
    expect(inline.status).toBe(422);
    expect((await current()).version).toBe(1);
  });

  it('saves a change as a new version with author, note and diff; submissions follow it, earlier ones keep theirs', async () => {
    const before = await postJson(gw.url, '/v1/submissions', chemnitzAnmeldung.envelope);
    expect((before.body.destinations as { destinationId: string }[]).map((d) => d.destinationId)).toEqual([
      'chemnitz-gewerbeamt',
    ]);

    const { etag, document } = await current();
    const next = structuredClone(document);
    const rule = next.rules.find((r) => r.service === anmeldung && r.region === '145110000000')!;
    rule.destinations = ['chemnitz-gewerbeamt', 'statistik-sachsen'];
    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Chemnitz meldet an das Statistische Landesamt', document: next },
      { 'if-match': etag },
    );
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"2"');
    expect((saved.body.diff as { rules: { changed: unknown[] } }).rules.changed).toHaveLength(1);

    const after = await postJson(gw.url, '/v1/submissions', chemnitzAnmeldung.envelope);
    expect((after.body.destinations as { destinationId: string }[]).map((d) => d.destinationId)).toEqual([
      'chemnitz-gewerbeamt',
      'statistik-sachsen',
    ]);
    const earlier = await getJson(gw.url, `/v1/submissions/${before.body.submissionId as string}`);
    expect((earlier.body.destinations as { destinationId: string }[]).map((d) => d.destinationId)).toEqual([
      'chemnitz-gewerbeamt',
    ]);

    const v2 = await adminCall(gw.url, 'GET', '/routing/versions/2', adminTokens.viewer);
    expect(v2.body).toMatchObject({
      version: 2,
      author: 'landesbetreiber',
      note: 'Chemnitz meldet an das Statistische Landesamt',
    });
    expect(
      (v2.body.diff as { rules: { changed: { after: { destinations: string[] } }[] } }).rules.changed[0]?.after
        .destinations,
    ).toContain('statistik-sachsen');
    expect((await adminCall(gw.url, 'GET', '/routing/versions/99', adminTokens.viewer)).status).toBe(404);
  });

  it('refuses a rollback without If-Match (428), over a newer version (412) or without a note (422 at /note) — changing nothing', async () => {
    const { etag, version } = await current();
    const rollback = (body: unknown, headers: Record<string, string>) =>
      adminCall(gw.url, 'POST', '/routing/rollback/1', adminTokens.editor, body, headers);
    const unconditional = await rollback({ note: 'ohne Vorbedingung' }, {});
    expect(unconditional.status).toBe(428);
    expect(unconditional.body.type).toBe('https://amtsbote.dev/problems/precondition-required');
    expect((await rollback({ note: 'veralteter Stand' }, { 'if-match': `"${version - 1}"` })).status).toBe(412);
    for (const body of [{}, { note: '' }, { note: '   ' }]) {
      const noNote = await rollback(body, { 'if-match': etag });
      expect(noNote.status, JSON.stringify(body)).toBe(422);
      expect(noNote.type).toMatch(/problem\+json/);
      expect(noNote.body).toMatchObject({
        type: 'https://amtsbote.dev/problems/note-required',
        errors: [{ pointer: '/note' }],
      });
    }
    expect((await current()).version).toBe(version);
  });

  it('rolls back to an earlier version as a new version', async () => {
    const { etag, version } = await current();
    const rolled = await adminCall(
      gw.url,
      'POST',
      '/routing/rollback/1',
      adminTokens.editor,
      { note: 'zurück auf den Ausgangsstand' },
      { 'if-match': etag },
    );
    expect(rolled.status).toBe(200);
    expect(rolled.body.version).toBe(version + 1);
    const after = await postJson(gw.url, '/v1/submissions', chemnitzAnmeldung.envelope);
    expect((after.body.destinations as { destinationId: string }[]).map((d) => d.destinationId)).toEqual([
      'chemnitz-gewerbeamt',
    ]);
    const history = await adminCall(gw.url, 'GET', '/routing/versions', adminTokens.viewer);
    expect((history.body.versions as { note: string }[])[0]?.note).toBe(
      'rollback to version 1: zurück auf den Ausgangsstand',
    );
    expect(
      (await adminCall(gw.url, 'POST', '/routing/rollback/1', adminTokens.viewer, { note: 'viewer tries' })).status,
    ).toBe(403);
  });

  it("keeps Leipzig's editor to Leipzig's rules", async () => {
    const { etag, document } = await current();
    const dresden = structuredClone(document);
    dresden.rules.find((r) => r.region === '146120000000')!.destinations = ['dresden-gewerbeamt'];
    const refused = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.leipzigEditor,
      { note: 'Dresden ändern', document: dresden },
      { 'if-match': etag },
    );
    expect(refused.status).toBe(403);
    expect((refused.body.errors as { pointer: string }[])[0]?.pointer).toMatch(/^\/document\/rules\/\d+\/region$/);

    const shared = structuredClone(document);
    shared.destinations.find((d) => d.id === 'statistik-sachsen')!.name = 'Umbenannt von Leipzig';
    const sharedRefused = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.leipzigEditor,
      { note: 'geteiltes Ziel', document: shared },
      { 'if-match': etag },
    );
    expect(sharedRefused.status).toBe(403);

    const leipzig = structuredClone(document);
    leipzig.rules.find((r) => r.service === anmeldung && r.region === '147130000000')!.validUntil = '2030-01-01';
    leipzig.rules.push({
      service: anmeldung,
      region: '147130000000',
      destinations: ['statistik-sachsen'],
      validFrom: '2030-01-01',
    });
    const allowed = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.leipzigEditor,
      { note: 'Leipzig ab 2030 an Statistik', document: leipzig },
      { 'if-match': etag },
    );
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
  });

  it('dry-runs a routing question or a whole envelope, also against a proposed document', async () => {
    const simple = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      serviceKey: anmeldung,
      regionKey: '146120000000',
    });
    expect(simple.status).toBe(200);
    expect((simple.body.destinations as { id: string }[]).map((d) => d.id)).toEqual([
      'dresden-gewerbeamt',
      'statistik-sachsen',
    ]);
    expect((simple.body.explanation as { summary: string }).summary).toContain('rule');

    const future = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      serviceKey: anmeldung,
      regionKey: '147130000000',
      at: '2030-06-01',
    });
    expect((future.body.destinations as { id: string }[]).map((d) => d.id)).toEqual(['statistik-sachsen']);

    const { document } = await current();
    const proposed = structuredClone(document);
    proposed.rules = proposed.rules.filter((r) => r.region !== '145110000000');
    const envelope = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      envelope: chemnitzAnmeldung.envelope,
      document: proposed,
    });
    expect(envelope.status).toBe(200);
    expect(envelope.body).toMatchObject({
      routingVersion: 'proposed',
      destinations: [],
      data: { valid: true, errors: [] },
    });

    const invalidData = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      envelope: { ...chemnitzAnmeldung.envelope, data: { ...chemnitzAnmeldung.envelope.data, unexpected: 1 } },
    });
    expect(invalidData.body.data).toMatchObject({ valid: false, errors: [{ pointer: '/envelope/data/unexpected' }] });
    const badRequest = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, { serviceKey: 'x' });
    expect(badRequest.status).toBe(400);
  });
});
