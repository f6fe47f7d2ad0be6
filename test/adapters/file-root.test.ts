import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileAdapter, fileAdapterConfigSchema } from '../../src/adapters/file.js';
import { fileDirectoryProblem } from '../../src/adapters/file-root.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-file-root-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const root = join(dir, 'drop');
const outside = join(dir, 'keys');
mkdirSync(join(root, 'leipzig'), { recursive: true });
mkdirSync(outside, { recursive: true });
symlinkSync(outside, join(root, 'escape'));

describe("file destinations below the operator's root", () => {
  it('accepts folders below the root, relative or absolute', () => {
    expect(fileDirectoryProblem(root, 'leipzig')).toBeUndefined();
    expect(fileDirectoryProblem(root, 'dresden/gewerbe')).toBeUndefined();
    expect(fileDirectoryProblem(root, join(root, 'leipzig'))).toBeUndefined();
  });

  it.each([
    ['..', /"\.\."/],
    ['../keys', /"\.\."/],
    ['leipzig/../../keys', /"\.\."/],
    ['leipzig\\..\\..\\keys', /"\.\."/],
    ['/tmp/anywhere', /below the file-drop root/],
    ['/proc/self', /below the file-drop root/],
    ['escape', /symbolic link/],
    ['escape/deeper/still', /symbolic link/],
  ])('refuses %s', (directory, reason) => {
    expect(fileDirectoryProblem(root, directory)).toMatch(reason);
  });

  it('checks again at delivery: a symlink placed after the routing was saved writes nothing outside', async () => {
    mkdirSync(join(root, 'later'), { recursive: true });
    const adapter = createFileAdapter(fileAdapterConfigSchema.parse({ kind: 'file', directory: 'later/inner' }), {
      dataDir: dir,
      fileDropRoot: root,
      configDir: dir,
      outbound: { allowLoopback: false, allowLinkLocal: false },
      now: () => new Date(),
    });
    symlinkSync(outside, join(root, 'later/inner'));
    const message = {
      messageId: 'm-1',
      submissionId: 's-1',
      destinationId: 'drop',
      serviceKey: '99050012104000',
      contentType: 'application/json',
      body: '{}',
    };
    expect(await adapter.deliver(message, undefined, new AbortController().signal)).toEqual({
      kind: 'failed',
      reason: 'file-outside-root',
    });
    expect(readdirSync(outside)).toEqual([]);
  });
});
