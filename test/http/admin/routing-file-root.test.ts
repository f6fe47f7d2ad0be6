import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../../src/config/routing-schema.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, adminTokens } from '../../helpers/http.js';

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-file-root-'));
/** The demo's file destination, below the default root `<dataDir>/outbox`. */
const leipzig = join(dataDir, 'outbox', 'leipzig-gewerbeamt');
const elsewhere = mkdtempSync(join(tmpdir(), 'amtsbote-elsewhere-'));
let gw: TestGateway;

beforeAll(async () => {
  // What a SIGKILL during a file delivery leaves: a temp file in the temp folder, and one of an earlier version beside
  // the messages.
  mkdirSync(join(leipzig, '.amtsbote-tmp'), { recursive: true });
  writeFileSync(join(leipzig, '.amtsbote-tmp', 'a.json.6f1c2a9e-3b7d-4c1e-9a55-0d2e8f7b1c34.tmp'), 'half');
  writeFileSync(join(leipzig, '.b.json.0b8e4d2f-7a1c-4e9b-8d3a-5c6f2e1a9b07.tmp'), 'half');
  symlinkSync(elsewhere, join(dataDir, 'outbox', 'escape'));
  gw = await startTestGateway({ dataDir });
});
afterAll(async () => {
  await gw.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

describe("file destinations and the operator's file-drop root", () => {
  it('removes the temp files a killed process left, on the next start', () => {
    expect(existsSync(join(leipzig, '.amtsbote-tmp'))).toBe(false);
    expect(readdirSync(leipzig)).toEqual([]);
  });

  it.each([['../keys'], ['/tmp/amtsbote-anywhere'], ['/proc/self'], ['escape'], ['escape/deeper']])(
    'refuses the folder %s with a pointer, in validation and when saving',
    async (directory) => {
      const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.editor);
      const document = structuredClone(current.body.document as Routing);
      const index = document.destinations.findIndex((d) => d.id === 'leipzig-gewerbeamt');
      document.destinations[index]!.adapter = { kind: 'file', directory };
      const pointer = `/document/destinations/${index}/adapter/directory`;

      const validated = await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.editor, { document });
      expect(validated.body).toMatchObject({
        valid: false,
        errors: [{ pointer, detail: expect.any(String) as unknown }],
      });
      const saved = await adminCall(
        gw.url,
        'PUT',
        '/routing',
        adminTokens.editor,
        { note: 'anderswo schreiben', document },
        { 'if-match': current.headers.get('etag')! },
      );
      expect(saved.status).toBe(422);
      expect(saved.body.errors).toEqual([{ pointer, detail: expect.any(String) as unknown }]);
      expect((await adminCall(gw.url, 'GET', '/routing', adminTokens.editor)).headers.get('etag')).toBe(
        current.headers.get('etag'),
      );
      expect(readdirSync(elsewhere)).toEqual([]);
    },
  );

  it('accepts a folder below the root', async () => {
    const current = await adminCall(gw.url, 'GET', '/routing', adminTokens.editor);
    const document = structuredClone(current.body.document as Routing);
    document.destinations.find((d) => d.id === 'leipzig-gewerbeamt')!.adapter = {
      kind: 'file',
      directory: 'leipzig/gewerbe',
    };
    expect((await adminCall(gw.url, 'POST', '/routing/validate', adminTokens.editor, { document })).body).toMatchObject(
      { valid: true, errors: [] },
    );
  });
});
