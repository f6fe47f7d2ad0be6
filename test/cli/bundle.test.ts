import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.js';

/**
 * The command's bundle (scripts/bundle.mjs, made by `npm run build`; bin/amtsbote runs it). The end-to-end tests
 * run it as operators do; this checks what they cannot see: where its files lie and where its maps lead.
 */
const bundleDir = join(projectRoot, 'dist/bundle');

function requireBundle() {
  if (!existsSync(join(bundleDir, 'cli.js'))) throw new Error(`${bundleDir} is missing: run "npm run build" first`);
}

describe('the bundle', () => {
  it("holds the threads' entries beside the command, where the code that starts them looks", () => {
    requireBundle();
    for (const entry of ['cli.js', 'intake-worker.js', 'delivery-thread-entry.js'])
      expect(existsSync(join(bundleDir, entry)), entry).toBe(true);
    // Chunks in a folder of their own would look for the entries there.
    expect(readdirSync(bundleDir, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
  });

  it("maps back to the TypeScript sources, through tsc's maps, for stack traces with --enable-source-maps", () => {
    requireBundle();
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
});
