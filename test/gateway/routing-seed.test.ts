import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

// The store is routing's source of truth; routing.yaml only seeds an empty store (design.md).
let copy: ConfigCopy;
let routingFile: string;
const dataDirs: string[] = [];
const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-routing-seed-'));
  dataDirs.push(dir);
  return dir;
};

beforeAll(() => {
  copy = copyConfig();
  routingFile = join(copy.dir, 'routing.yaml');
});
afterAll(() => {
  copy.remove();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function breakRouting(): string {
  const original = readFileSync(routingFile, 'utf8');
  const broken = original.replace(/destinations: \[\s*leipzig-gewerbeamt\s*\]/, 'destinations: [leipzig-nowhere]');
  expect(broken).not.toBe(original);
  writeFileSync(routingFile, broken);
  return original;
}

describe('a broken routing.yaml at start', () => {
  it('over a store that holds routing: starts, serves with the stored routing, and warns naming file and pointer', async () => {
    const dataDir = newDataDir();
    const seeding = await startTestGateway({ configFile: copy.configFile, dataDir });
    await seeding.stop();
    const original = breakRouting();
    try {
      const gw = await startTestGateway({ configFile: copy.configFile, dataDir });
      try {
        const example = loadExamples().find((e) => e.file === 'dresden-welpe.json');
        const accepted = await postJson(gw.url, '/v1/submissions', example?.envelope);
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
        expect(gw.routing.current().version).toBe(1);
        const warning = gw
          .logs()
          .split('\n')
          .filter((line) => line.includes('routing.yaml is invalid and ignored'))
          .map((line) => JSON.parse(line) as { level: number; file: string; errors: { pointer: string }[] });
        expect(warning).toHaveLength(1);
        expect(warning[0]?.level).toBe(40);
        expect(warning[0]?.file).toBe(routingFile);
        expect(warning[0]?.errors.map((e) => e.pointer)).toEqual([
          expect.stringMatching(/^\/rules\/\d+\/destinations\/0$/),
        ]);
      } finally {
        await gw.stop();
      }
    } finally {
      writeFileSync(routingFile, original);
    }
  });

  it('over a store that holds routing, also when the file is no YAML at all', async () => {
    const dataDir = newDataDir();
    const seeding = await startTestGateway({ configFile: copy.configFile, dataDir });
    await seeding.stop();
    const original = readFileSync(routingFile, 'utf8');
    writeFileSync(routingFile, 'destinations: [\n  - broken');
    try {
      const gw = await startTestGateway({ configFile: copy.configFile, dataDir });
      try {
        expect(gw.logs()).toMatch(/routing\.yaml is invalid and ignored/);
        expect(gw.routing.current().version).toBe(1);
      } finally {
        await gw.stop();
      }
    } finally {
      writeFileSync(routingFile, original);
    }
  });

  it('over an empty store: refuses with the message loading the configuration gives', async () => {
    const original = breakRouting();
    try {
      let expected: Error | undefined;
      try {
        loadConfig({ configFile: copy.configFile });
      } catch (error) {
        expected = error as Error;
      }
      expect(expected?.message).toMatch(/routing\.yaml is invalid:\n.*unknown destination "leipzig-nowhere"/);
      await expect(startTestGateway({ configFile: copy.configFile, dataDir: newDataDir() })).rejects.toThrow(
        expected?.message,
      );
    } finally {
      writeFileSync(routingFile, original);
    }
  });
});
