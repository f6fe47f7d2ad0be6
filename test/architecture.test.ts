import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { projectRoot as root } from './helpers/paths.js';

// The floor plan of src/ (issue 21): the rules live in .dependency-cruiser.cjs, where `npx depcruise src` reads them
// too.
const rules = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as {
  forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
  options: ICruiseOptions;
};
const { folderPairs } = (await import(join(root, 'scripts/folder-pairs.mjs'))) as {
  folderPairs: (baseDir?: string) => Promise<{ folders: string[]; imports: string[] }[]>;
};

async function violations(baseDir: string): Promise<IViolation[]> {
  const { tsConfig: _tsConfig, ...options } = rules.options;
  const result = await cruise(['src'], {
    ...options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: rules.forbidden },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a cruise result');
  return result.output.summary.violations;
}

const describeViolation = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`;

describe('the floor plan of src/', () => {
  it('has no import against the floor order and no cycle (dependency-cruiser)', async () => {
    expect((await violations(root)).map(describeViolation)).toEqual([]);
  }, 60_000);

  it('has no two folders that import each other', async () => {
    expect(await folderPairs(root)).toEqual([]);
  }, 60_000);

  it('refuses a floor that imports a floor above it, and counts the pair', async () => {
    const fixture = join(root, 'test/fixtures/floor-plan');
    expect((await violations(fixture)).map(describeViolation)).toEqual([
      'lib-imports-upward: src/lib/reads-http.ts → src/http/answer.ts',
    ]);
    expect(await folderPairs(fixture)).toEqual([
      {
        folders: ['http', 'lib'],
        imports: ['src/http/answer.ts imports src/lib/base.ts', 'src/lib/reads-http.ts imports src/http/answer.ts'],
      },
    ]);
  }, 60_000);
});
