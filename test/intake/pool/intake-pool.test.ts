import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigurationSet } from '../../../src/intake/configuration-set.js';
import { intakePool, type IntakeCpu } from '../../../src/intake/pool/intake-pool.js';
import type { ValidateInput } from '../../../src/intake/pool/validate-task.js';
import { AmtsboteError } from '../../../src/lib/errors.js';
import { createLogger } from '../../../src/lib/logger.js';
import { projectRoot } from '../../helpers/paths.js';

const gatedWorker = join(projectRoot, 'test/fixtures/intake-pool/gated-worker.mjs');
let pool: IntakeCpu | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

async function gatedPool(options: { threads: number; queue: number; tasksPerThread: number }): Promise<IntakeCpu> {
  pool = intakePool({} as ConfigurationSet, {
    ...options,
    retryAfterSeconds: 3,
    filename: gatedWorker,
    workerData: { load: {}, configHash: 'test' },
    logger: createLogger({ level: 'silent' }),
  });
  // Until a thread is ready tasks run in-process (over the empty set here): these tests are about the threads.
  await pool.warmUp();
  return pool;
}

/** A task input the gated worker holds until `open()`; `problem` is what it answers then. */
function gated(serviceKey: string, problem?: unknown) {
  const gate = new SharedArrayBuffer(4);
  const input = { serviceKey, gate, problem } as unknown as ValidateInput;
  return {
    input,
    open() {
      const view = new Int32Array(gate);
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
    },
  };
}

/** Settled or not, after the calls that are refused at once have had every chance to be (no timing involved). */
async function stateOf(promise: Promise<unknown>): Promise<'pending' | { value: unknown } | { error: unknown }> {
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return Promise.race([settled, Promise.resolve('pending' as const)]);
}

describe('the intake pool', () => {
  it('refuses a task beyond its threads and queue with 503 and Retry-After, and runs every task it took', async () => {
    const cpu = await gatedPool({ threads: 1, queue: 1, tasksPerThread: 1 });
    const first = gated('first');
    const second = gated('second');
    const taken = [cpu.validate(first.input), cpu.validate(second.input)];
    // What /metrics shows: both admitted (one running, one waiting), and the bound they reached.
    expect(cpu.load()).toEqual({ tasks: 2, capacity: 2 });

    const third = gated('third');
    const refused = await stateOf(cpu.validate(third.input));
    expect(refused).not.toBe('pending');
    const error = (refused as { error: unknown }).error;
    expect(error).toBeInstanceOf(AmtsboteError);
    expect((error as AmtsboteError).code).toBe('unavailable');
    expect((error as AmtsboteError).extensions).toEqual({ retryAfter: 3 });

    first.open();
    second.open();
    third.open();
    expect(await Promise.all(taken)).toEqual([{ serviceKey: 'first' }, { serviceKey: 'second' }]);
    expect(cpu.load()).toEqual({ tasks: 0, capacity: 2 });
    // Room again once the tasks taken are done: the refused one, sent again, runs.
    const again = gated('third');
    again.open();
    expect(await cpu.validate(again.input)).toEqual({ serviceKey: 'third' });
  });

  it('rebuilds a problem raised on a thread with its code, message, field errors and extensions', async () => {
    const cpu = await gatedPool({ threads: 1, queue: 4, tasksPerThread: 2 });
    const failing = gated('x', {
      kind: 'amtsbote',
      code: 'invalid-recipient-key',
      message: 'The encryption key of destination d cannot be used (modulus-too-small).',
      errors: [{ pointer: '/data/a', detail: 'is wrong', code: 'pattern', params: { n: 1 } }],
      extensions: { destinationId: 'd', reason: 'modulus-too-small' },
    });
    failing.open();
    const error = await cpu.validate(failing.input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AmtsboteError);
    expect(error).toMatchObject({
      code: 'invalid-recipient-key',
      message: 'The encryption key of destination d cannot be used (modulus-too-small).',
      errors: [{ pointer: '/data/a', detail: 'is wrong', code: 'pattern', params: { n: 1 } }],
      extensions: { destinationId: 'd', reason: 'modulus-too-small' },
    });
  });

  it('answers an error that is not a problem as an internal error, without its text', async () => {
    const cpu = await gatedPool({ threads: 1, queue: 4, tasksPerThread: 2 });
    const failing = gated('x', { kind: 'other', errorClass: 'TypeError' });
    failing.open();
    const error = (await cpu.validate(failing.input).catch((e: unknown) => e)) as AmtsboteError;
    expect(error.code).toBe('internal');
  });
});
