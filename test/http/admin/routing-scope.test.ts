import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Destination, Routing } from '../../../src/config/routing-schema.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens } from '../../helpers/http.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const anmeldung = '99050012104000';
const dresden = '146120000000';
/** A destination that only Dresden's deferred distribution names — the one issue 19 F2 took over. */
const deferredOnly = 'dresden-statistik-nachgelagert';
/** A hash of a token the Leipzig editor would know. */
const ownTokenHash = 'sha256:' + 'ab'.repeat(32);

async function read(token: string) {
  const res = await adminCall(gw.url, 'GET', '/routing', token);
  expect(res.status).toBe(200);
  return { etag: res.headers.get('etag')!, document: res.body.document as Routing };
}

const destination = (routing: Routing, id: string) => routing.destinations.find((d) => d.id === id)!;

describe("a region-limited editor's scope", () => {
  beforeAll(async () => {
    // The editor for every region gives Dresden's Gewerbeanmeldung a deferred destination no other rule names.
    const { etag, document } = await read(adminTokens.editor);
    const next = structuredClone(document);
    next.destinations.push({
      ...structuredClone(destination(document, 'statistik-sachsen')),
      id: deferredOnly,
      name: 'Statistik, nach Annahme durch Dresden',
    });
    const rule = next.rules.find((r) => r.service === anmeldung && r.region === dresden)!;
    rule.deferred = { after: 'dresden-gewerbeamt', destinations: [deferredOnly], maxWait: 'P7D', onTimeout: 'release' };
    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Dresden verteilt nach Annahme', document: next },
      { 'if-match': etag },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  });

  /** Each way the Leipzig editor might take over a Dresden destination: every field, direct and deferred. */
  const attempts: [string, string, (d: Destination, routing: Routing) => void][] = [
    [
      'deferred: name',
      deferredOnly,
      (d) => {
        d.name = 'Leipzig war hier';
      },
    ],
    [
      'deferred: enabled',
      deferredOnly,
      (d) => {
        d.enabled = false;
      },
    ],
    [
      'deferred: mailbox token',
      deferredOnly,
      (d) => {
        d.adapter = { kind: 'mailbox', tokenHashes: [ownTokenHash], pickupDays: 14 };
      },
    ],
    [
      'deferred: adapter kind',
      deferredOnly,
      (d) => {
        d.adapter = { kind: 'file', directory: 'leipzig' };
      },
    ],
    [
      'deferred: encryption key',
      deferredOnly,
      (d, r) => {
        d.encryptionKey = structuredClone(destination(r, 'leipzig-gewerbeamt').encryptionKey);
      },
    ],
    [
      'deferred: receipt key',
      deferredOnly,
      (d, r) => {
        d.receiptKey = structuredClone(destination(r, 'leipzig-gewerbeamt').receiptKey);
      },
    ],
    [
      'deferred: standard',
      deferredOnly,
      (d) => {
        d.standard = { ...d.standard, version: '2.1' };
      },
    ],
    [
      'deferred: leser',
      deferredOnly,
      (d) => {
        d.leser = { ...d.leser, name: 'Stadt Leipzig' };
      },
    ],
    [
      'deferred: retry',
      deferredOnly,
      (d) => {
        d.retry = { initialDelaySeconds: 1, maxDelaySeconds: 2, maxAttempts: 1 };
      },
    ],
    [
      'deferred: breaker',
      deferredOnly,
      (d) => {
        d.breaker = { consecutiveFailures: 1, halfOpenAfterSeconds: 1 };
      },
    ],
    [
      'direct: mailbox token',
      'dresden-gewerbeamt',
      (d) => {
        d.adapter = { kind: 'mailbox', tokenHashes: [ownTokenHash], pickupDays: 14 };
      },
    ],
    [
      'direct: encryption key',
      'dresden-gewerbeamt',
      (d, r) => {
        d.encryptionKey = structuredClone(destination(r, 'leipzig-gewerbeamt').encryptionKey);
      },
    ],
  ];

  it.each(attempts)('refuses %s with 403 from save, and validate gives the same verdict', async (_name, id, change) => {
    // The editor for every region reads the full document (a limited editor would send placeholders back).
    const { etag, document } = await read(adminTokens.editor);
    const next = structuredClone(document);
    change(destination(next, id), next);
    const index = next.destinations.findIndex((d) => d.id === id);

    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.leipzigEditor,
      { note: 'Übernahme', document: next },
      { 'if-match': etag },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(403);
    expect(saved.body.errors).toEqual([
      { pointer: `/document/destinations/${index}`, detail: `destination ${id} serves regions outside yours` },
    ]);

    const validated = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.leipzigEditor, {
      document: next,
    });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ valid: false, errors: saved.body.errors });

    // The editor for every region may make the same change (the document itself is valid).
    const allowed = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.editor, { document: next });
    expect(allowed.body).toMatchObject({ valid: true, errors: [] });
    expect((await read(adminTokens.editor)).etag).toBe(etag);
  });

  it('lets the Leipzig editor change what only Leipzig uses, validate and save agreeing', async () => {
    const { etag, document } = await read(adminTokens.leipzigEditor);
    const next = structuredClone(document);
    destination(next, 'leipzig-meldebehoerde').name = 'Stadt Leipzig, Bürgerbüro';
    const validated = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.leipzigEditor, {
      document: next,
    });
    expect(validated.body, JSON.stringify(validated.body)).toMatchObject({ valid: true, errors: [] });
    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.leipzigEditor,
      { note: 'Leipzig benennt um', document: next },
      { 'if-match': etag },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // What Leipzig's editor never saw is stored as it was, not as the placeholder they sent back.
    const full = (await read(adminTokens.editor)).document;
    expect(destination(full, 'dresden-gewerbeamt').adapter).toMatchObject({
      kind: 'mailbox',
      tokenHashes: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)],
    });
    expect(destination(full, 'leipzig-meldebehoerde').name).toBe('Stadt Leipzig, Bürgerbüro');
  });
});

describe('what admins read of destinations they may not change', () => {
  it('shows viewers every destination without secrets or token hashes', async () => {
    const { document } = await read(adminTokens.viewer);
    const mailbox = document.destinations.filter((d) => d.adapter.kind === 'mailbox');
    expect(mailbox.length).toBeGreaterThan(3);
    for (const d of mailbox) expect(d.adapter).toMatchObject({ tokenHashes: ['(redacted)'] });
    expect(destination(document, 'chemnitz-gewerbeamt').adapter).toMatchObject({
      kind: 'http',
      webhookSecret: '(redacted)',
    });
    expect(JSON.stringify(document)).not.toMatch(/sha256:[0-9a-f]{64}|file:demo\//);
    const history = await adminCall(gw.url, 'GET', '/routing/versions/1', adminTokens.viewer);
    expect(JSON.stringify(history.body.document)).not.toMatch(/sha256:[0-9a-f]{64}|file:demo\//);
  });

  it("shows Leipzig's editor the other regions' destinations redacted and its own in full", async () => {
    const { document } = await read(adminTokens.leipzigEditor);
    expect(destination(document, 'dresden-gewerbeamt').adapter).toMatchObject({ tokenHashes: ['(redacted)'] });
    expect(destination(document, 'chemnitz-gewerbeamt').adapter).toMatchObject({ webhookSecret: '(redacted)' });
    expect(destination(document, 'leipzig-meldebehoerde').adapter).toMatchObject({
      tokenHashes: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)],
    });
    const full = (await read(adminTokens.editor)).document;
    expect(destination(full, 'chemnitz-gewerbeamt').adapter).toMatchObject({
      webhookSecret: expect.stringMatching(/^file:/) as unknown,
    });
  });

  it('takes placeholders sent back as the values they replaced, and refuses one that replaced nothing', async () => {
    const { etag, document } = await read(adminTokens.viewer);
    const next = structuredClone(document);
    const chemnitz = destination(next, 'chemnitz-gewerbeamt');
    chemnitz.name = 'Chemnitz, umbenannt';
    const invented = structuredClone(next);
    destination(invented, 'chemnitz-gewerbeamt').adapter = {
      kind: 'mailbox',
      tokenHashes: ['(redacted)'],
      pickupDays: 14,
    };
    const refused = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Platzhalter ohne Wert', document: invented },
      { 'if-match': etag },
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    const index = next.destinations.findIndex((d) => d.id === 'chemnitz-gewerbeamt');
    expect((refused.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(
      `/document/destinations/${index}/adapter/tokenHashes/0`,
    );

    const saved = await adminCall(
      gw.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'umbenannt, Geheimnis ungesehen', document: next },
      { 'if-match': etag },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const full = (await read(adminTokens.editor)).document;
    expect(destination(full, 'chemnitz-gewerbeamt')).toMatchObject({
      name: 'Chemnitz, umbenannt',
      adapter: { webhookSecret: expect.stringMatching(/^file:/) as unknown },
    });
  });
});
