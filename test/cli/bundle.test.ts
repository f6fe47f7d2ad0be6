import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.js';
import { requireBuilt } from '../helpers/process.js';
import { processBoundMs } from '../helpers/wait.js';

/**
 * The command's bundle (scripts/bundle.mjs, made by `npm run build`; bin/amtsbote runs it). The end-to-end tests
 * run it as operators do; this checks what they cannot see: where its files lie and where its maps lead.
 */
const bundleDir = join(projectRoot, 'dist/bundle');

describe('the bundle', () => {
  it("holds the threads' entries beside the command, where the code that starts them looks", () => {
    requireBuilt(join(bundleDir, 'cli.js'));
    for (const entry of ['cli.js', 'intake-worker.js', 'delivery-thread-entry.js'])
      expect(existsSync(join(bundleDir, entry)), entry).toBe(true);
    // Chunks in a folder of their own would look for the entries there.
    expect(readdirSync(bundleDir, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
  });

  it("maps back to the TypeScript sources, through tsc's maps, for stack traces with --enable-source-maps", () => {
    requireBuilt(join(bundleDir, 'cli.js'));
    const maps = readdirSync(bundleDir).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(3);
    const ours: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(bundleDir, map), 'utf8')) as { sources: string[] };
      ours.push(...sources.filter((s) => !s.includes('node_modules/')).map((s) => resolve(bundleDir, s)));
    }
    expect(ours).toContain(join(projectRoot, 'src/cli.ts'));
    expect(ours).toContain(join(projectRoot, 'src/intake/pool/intake-worker.ts'));
    const notTypeScript = ours.filter((s) => !s.startsWith(join(projectRoot, 'src') + '/') || !s.endsWith('.ts'));
    expect(notTypeScript).toEqual([]);
    expect(ours.filter((s) => !existsSync(s))).toEqual([]);
  });

  it("lands on the function's own line in src/ when node reads the maps (node:module findSourceMap)", () => {
    requireBuilt(join(bundleDir, 'cli.js'));
    // The chunk that defines berlinDay, and where: node, not our code, then reads the chained map.
    const chunk = readdirSync(bundleDir)
      .filter((f) => f.endsWith('.js'))
      .find((f) => readFileSync(join(bundleDir, f), 'utf8').includes('\nfunction berlinDay('));
    expect(chunk).toBeDefined();
    const file = join(bundleDir, chunk ?? '');
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.startsWith('function berlinDay('));
    const column = (lines[line] ?? '').indexOf('berlinDay');
    const script = [
      "const { pathToFileURL } = await import('node:url');",
      "const { findSourceMap } = await import('node:module');",
      `const url = pathToFileURL(${JSON.stringify(file)}).href;`,
      'await import(url);',
      `console.log(JSON.stringify(findSourceMap(url)?.findEntry(${line}, ${column}) ?? null));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: processBoundMs,
    });
    expect(run.stderr).toBe('');
    const entry = JSON.parse(run.stdout) as { originalSource: string; originalLine: number } | null;
    const source = join(projectRoot, 'src/lib/berlin-time.ts');
    const sourceLine = readFileSync(source, 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('export function berlinDay('));
    expect(entry?.originalSource).toBe(`file://${source}`);
    expect(entry?.originalLine).toBe(sourceLine);
  });
});
