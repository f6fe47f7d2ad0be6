import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../../helpers/config-copy.js';
import { loadExamples } from '../../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../../helpers/http.js';
import { ownerOnlyKeyFile } from '../../helpers/key-files.js';

const keyDir = mkdtempSync(join(tmpdir(), 'amtsbote-admin-keys-'));
let config: ConfigCopy;
let gw: TestGateway;

beforeAll(async () => {
  config = copyConfig({
    keys: {
      signing: [ownerOnlyKeyFile(keyDir, 'gateway-signing-1'), ownerOnlyKeyFile(keyDir, 'gateway-signing-2')],
      escrow: ownerOnlyKeyFile(keyDir, 'gateway-escrow-1'),
    },
  });
  gw = await startTestGateway({ configFile: config.configFile });
});
afterAll(async () => {
  await gw.stop();
  config.remove();
  rmSync(keyDir, { recursive: true, force: true });
});

interface KeyView {
  kid: string;
  purpose: string;
  state: string;
  fingerprint?: string;
  openMessages: number;
  changedBy: string;
}

const keys = async () => (await adminCall(gw.url, 'GET', '/keys', adminTokens.viewer)).body.keys as KeyView[];
const key = async (kid: string) => (await keys()).find((k) => k.kid === kid)!;
const jwksKids = async () =>
  ((await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys
    .map((k) => k.kid)
    .sort();

describe('/admin/v1/keys', () => {
  it('lists the configured keys with state, fingerprint and open messages', async () => {
    const dresden = loadExamples().find(
      (e) => !e.invalid && e.envelope.regionKey === '146120000000' && e.envelope.serviceKey === '99050012104000',
    )!;
    expect((await postJson(gw.url, '/v1/submissions', dresden.envelope)).status).toBe(202);
    const listed = await keys();
    expect(listed.map((k) => [k.kid, k.purpose, k.state])).toEqual([
      ['test-gateway-escrow-1', 'escrow', 'active'],
      ['test-gateway-sig-1', 'signing', 'active'],
      ['test-gateway-sig-2', 'signing', 'published'],
    ]);
    for (const k of listed) expect(k.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await key('test-gateway-sig-1')).openMessages).toBeGreaterThanOrEqual(1);
  });

  it('lets only editors without a region limit change keys, and wants a note', async () => {
    const note = { note: 'planmäßiger Wechsel' };
    expect(
      (await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-2/activate', adminTokens.viewer, note)).status,
    ).toBe(403);
    expect(
      (await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-2/activate', adminTokens.leipzigEditor, note)).status,
    ).toBe(403);
    const noNote = await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-2/activate', adminTokens.editor, {});
    expect(noNote.status).toBe(400);
    expect(noNote.body.errors).toEqual([expect.objectContaining({ pointer: '/note' })]);
    expect((await adminCall(gw.url, 'POST', '/keys/not-a-key/activate', adminTokens.editor, note)).status).toBe(404);
    expect((await key('test-gateway-sig-2')).state).toBe('published');
  });

  it('activates a configured key: new messages are signed with it, the previous one stays published', async () => {
    const res = await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-2/activate', adminTokens.editor, {
      note: 'planmäßiger Wechsel',
    });
    expect(res.status).toBe(200);
    expect((res.body.keys as KeyView[]).find((k) => k.kid === 'test-gateway-sig-2')).toMatchObject({
      state: 'active',
      changedBy: 'landesbetreiber',
    });
    expect((await key('test-gateway-sig-1')).state).toBe('published');
    expect(await jwksKids()).toEqual(['test-gateway-sig-1', 'test-gateway-sig-2']);
  });

  it('refuses to retire the active key, and one that open messages need unless forced', async () => {
    const active = await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-2/retire', adminTokens.editor, {
      note: 'versehentlich',
    });
    expect(active.status).toBe(409);
    expect(active.body.detail).toContain('active');
    const needed = await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-1/retire', adminTokens.editor, {
      note: 'alter Schlüssel',
    });
    expect(needed.status).toBe(409);
    expect(needed.body.openMessages).toBeGreaterThanOrEqual(1);
    const forced = await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-1/retire', adminTokens.editor, {
      note: 'alter Schlüssel',
      force: true,
    });
    expect(forced.status).toBe(200);
    expect((await key('test-gateway-sig-1')).state).toBe('retired');
    expect(await jwksKids()).toEqual(['test-gateway-sig-2']);
    expect(
      (
        await adminCall(gw.url, 'POST', '/keys/test-gateway-sig-1/activate', adminTokens.editor, {
          note: 'doch wieder',
        })
      ).status,
    ).toBe(409);
  });

  it('records every key operation in the audit log', async () => {
    const entries = (await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer)).body.entries as {
      action: string;
      actor: string;
      detail: Record<string, unknown>;
    }[];
    expect(entries.filter((e) => e.action.startsWith('keys.'))).toEqual([
      expect.objectContaining({
        action: 'keys.retire',
        actor: 'landesbetreiber',
        detail: expect.objectContaining({
          kid: 'test-gateway-sig-1',
          forced: true,
          note: 'alter Schlüssel',
        }) as unknown,
      }),
      expect.objectContaining({
        action: 'keys.rotate',
        actor: 'landesbetreiber',
        detail: { kid: 'test-gateway-sig-2', note: 'planmäßiger Wechsel' },
      }),
    ]);
  });
});
