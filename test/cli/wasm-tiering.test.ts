import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { delayWasmTierUp } from '../../src/cli/wasm-tiering.js';
import { projectRoot } from '../helpers/paths.js';
import { cliPath, requireBuilt } from '../helpers/process.js';
import { processBoundMs } from '../helpers/wait.js';

/** The CLI raises V8's WebAssembly tier-up budget (start time, issue 26) where the flag exists, and only there. */
describe('delayWasmTierUp', () => {
  it('sets the budget on Node 20 and leaves other versions, whose V8 may not know the flag, alone', () => {
    expect(delayWasmTierUp('20.20.2', [], '')).toBe(true);
    expect(delayWasmTierUp('22.12.0', [], '')).toBe(false);
    expect(delayWasmTierUp('24.1.0', [], '')).toBe(false);
  });

  it("keeps the operator's own WebAssembly tiering flags, given on the command line or in NODE_OPTIONS", () => {
    expect(delayWasmTierUp('20.20.2', ['--liftoff-only'], '')).toBe(false);
    expect(delayWasmTierUp('20.20.2', [], '--max-old-space-size=512 --wasm-tiering-budget=5000')).toBe(false);
    expect(delayWasmTierUp('20.20.2', ['--no-wasm-dynamic-tiering'], '')).toBe(false);
  });

  it('the built CLI sets it without a word on stderr (V8 prints one for a flag it does not know)', () => {
    requireBuilt(cliPath);
    const result = spawnSync(process.execPath, [cliPath, '--version'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: processBoundMs,
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
