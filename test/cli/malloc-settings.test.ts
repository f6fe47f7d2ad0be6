import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mallocSettingsNote, runsOnGlibc } from '../../src/cli/malloc-settings.js';
import { projectRoot } from '../helpers/paths.js';
import { processBoundMs } from '../helpers/wait.js';

const launcher = join(projectRoot, 'bin/amtsbote');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-launcher-'));
  dirs.push(dir);
  return dir;
}

/** Runs `command` with a PATH whose `node` prints the malloc setting and its arguments instead of running them. */
function throughFakeNode(command: string, env: NodeJS.ProcessEnv = {}): string[] {
  const bin = tempDir();
  const node = join(bin, 'node');
  writeFileSync(node, '#!/bin/sh\nprintf "%s\\n" "threshold=${MALLOC_MMAP_THRESHOLD_-unset}" "$@"\n');
  chmodSync(node, 0o755);
  const path = `${bin}:/usr/bin:/bin`;
  return execFileSync(command, ['serve', '--port', '8081'], { env: { PATH: path, ...env }, timeout: processBoundMs })
    .toString()
    .trim()
    .split('\n');
}

describe('bin/amtsbote', () => {
  it('starts dist/bundle/cli.js with the malloc threshold set and the arguments as given', () => {
    expect(throughFakeNode(launcher)).toEqual([
      'threshold=1048576',
      join(projectRoot, 'dist/bundle/cli.js'),
      'serve',
      '--port',
      '8081',
    ]);
  });

  it('keeps a threshold already in the environment', () => {
    expect(throughFakeNode(launcher, { MALLOC_MMAP_THRESHOLD_: '262144' })[0]).toBe('threshold=262144');
  });

  it('finds the CLI through a symlink, as npm links a bin', () => {
    const link = join(tempDir(), 'amtsbote');
    symlinkSync(launcher, link);
    expect(throughFakeNode(link)[1]).toBe(join(projectRoot, 'dist/bundle/cli.js'));
    // and with the real node: the built CLI answers
    const version = execFileSync(link, ['--version'], { env: { PATH: process.env.PATH }, timeout: processBoundMs });
    expect(version.toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('mallocSettingsNote', () => {
  it('says so when glibc runs without the setting', () => {
    expect(mallocSettingsNote({}, true)).toMatch(/MALLOC_MMAP_THRESHOLD_.*bin\/amtsbote/);
  });

  it('is silent with the setting, or on another C library', () => {
    expect(mallocSettingsNote({ MALLOC_MMAP_THRESHOLD_: '1048576' }, true)).toBeUndefined();
    expect(mallocSettingsNote({}, false)).toBeUndefined();
  });

  it('tells glibc from the process report (this machine runs it)', () => {
    expect(runsOnGlibc()).toBe(true);
  });
});
