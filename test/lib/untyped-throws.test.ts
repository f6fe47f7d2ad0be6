import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 21, step 5: no untyped `throw new Error(…)` on a path a request, a delivery or a CLI command can
 * reach. What is left is listed here with its reason; a new one fails this test until it is typed (an
 * AmtsboteError subclass of lib/errors.ts, the receiver kit's ReceiverError, …) or listed with a reason.
 * A listed one that is gone fails it too, so the list never claims more than src/ holds.
 */
const allowed: Record<string, { count: number; why: string }> = {};

const root = join(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** file (relative to the package root) → how many untyped throws it holds. */
function untypedThrows(): Record<string, number> {
  const found: Record<string, number> = {};
  for (const file of sourceFiles(join(root, 'src'))) {
    const count = readFileSync(file, 'utf8').match(/\bthrow\s+(new\s+)?Error\s*\(/g)?.length ?? 0;
    if (count > 0) found[relative(root, file).split('\\').join('/')] = count;
  }
  return found;
}

describe('untyped throws in src/', () => {
  it('are only the listed ones, each with its reason', () => {
    const found = untypedThrows();
    const unlisted = Object.entries(found).filter(([file, count]) => count > (allowed[file]?.count ?? 0));
    expect(
      unlisted,
      'type these errors (lib/errors.ts) or list them here with the reason no input reaches them',
    ).toEqual([]);
  });

  it('has no entry for a throw that is gone', () => {
    const found = untypedThrows();
    const stale = Object.entries(allowed).filter(([file, { count }]) => (found[file] ?? 0) < count);
    expect(
      stale.map(([file]) => file),
      'lower or remove these entries',
    ).toEqual([]);
  });

  it('gives every entry a reason', () => {
    for (const [file, { why }] of Object.entries(allowed)) expect(why.length, file).toBeGreaterThan(20);
  });
});
