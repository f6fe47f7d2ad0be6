import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { AmtsboteError, InternalError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { threadResourceLimits } from '../../lib/thread-heap.js';
import type { ConfigurationSet } from '../configuration-set.js';
import { errorFromData } from './errors-as-data.js';
import type { IntakeTask, IntakeWorkerData, TaskOutcome } from './intake-worker.js';
import { produceAndSeal, type ProduceAndSealInput, type SealedSubmission } from './produce-and-seal-task.js';
import { asBuffer, asBuffers, movableBuffers } from './transfer.js';
import { validateSubmission, type ValidateInput } from './validate-task.js';

/**
 * The CPU steps of intake (validate-task.ts, produce-and-seal-task.ts) for one configuration set: on a pool of
 * worker threads, or in-process. Either way the same functions run and throw the same errors.
 */
export interface IntakeCpu {
  validate(input: ValidateInput): Promise<Record<string, unknown>>;
  /** Takes `input.contents`: on a pool thread their bytes move there (the caller's Buffers are emptied). */
  produceAndSeal(input: ProduceAndSealInput): Promise<SealedSubmission>;
  /** Resolves once a thread has loaded its configuration and takes tasks (tasks run in-process until then). */
  warmUp(): Promise<void>;
  /** Waits for the tasks taken, then stops the threads. */
  close(): Promise<void>;
  /** Tasks admitted (running or waiting for a thread) and how many are admitted at most; none in-process. */
  load(): { tasks: number; capacity: number } | undefined;
}

export interface IntakePoolOptions {
  /** Threads at most; started when work arrives, stopped after `idleTimeoutMs` without any. */
  threads: number;
  /** Tasks waiting for a thread at most; beyond, a task is refused with 503 and Retry-After. */
  queue: number;
  retryAfterSeconds: number;
  /** Tasks one thread runs at once: signing waits for libuv's pool, meanwhile the thread maps the next. */
  tasksPerThread?: number;
  idleTimeoutMs?: number;
  workerData: IntakeWorkerData;
  /** The thread's module; by default the compiled intake-worker.js beside this one. */
  filename?: string;
  logger: Logger;
}

/** The tasks run on the calling thread (`limits.intakeThreads: 0`, the CLI, tests from the TypeScript sources). */
export function inProcessIntake(set: ConfigurationSet): IntakeCpu {
  return {
    validate: (input) => validateSubmission(set, input),
    produceAndSeal: (input) => produceAndSeal(set, input),
    warmUp: () => Promise.resolve(),
    close: () => Promise.resolve(),
    load: () => undefined,
  };
}

/** The compiled worker module, if this is the compiled gateway (vitest runs the TypeScript sources: no threads). */
export function intakeWorkerFile(): string | undefined {
  const file = fileURLToPath(new URL('./intake-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

/**
 * A bounded piscina pool for one configuration set. Admission is counted here, not left to piscina's queue: at
 * most `threads × tasksPerThread` running plus `queue` waiting, and a task beyond is refused at once with
 * `unavailable` (503, Retry-After) before anything of it is kept — so nothing waits unbounded and nothing a
 * portal was told is accepted is lost.
 */
export function intakePool(set: ConfigurationSet, options: IntakePoolOptions): IntakeCpu {
  const filename = options.filename ?? intakeWorkerFile();
  if (!filename) {
    options.logger.debug('no compiled intake worker beside the sources: intake runs in-process');
    return inProcessIntake(set);
  }
  const tasksPerThread = options.tasksPerThread ?? 2;
  const capacity = options.threads * tasksPerThread + options.queue;
  const pool = new Piscina({
    filename,
    minThreads: 0,
    maxThreads: options.threads,
    concurrentTasksPerWorker: tasksPerThread,
    // A bound that admission below never reaches; were it reached, the task is refused all the same.
    maxQueue: capacity,
    idleTimeout: options.idleTimeoutMs ?? 60_000,
    workerData: options.workerData,
    resourceLimits: threadResourceLimits,
  });
  const local = inProcessIntake(set);
  let inFlight = 0;
  let warnedStale = false;
  // A thread loads the configuration when it starts: seconds, on a busy machine tens of them. Until the first
  // has, tasks run in-process as they would without a pool, so a fresh gateway answers at once; then the pool.
  let warm = false;
  let warming: Promise<void> | undefined;

  const busy = () =>
    new AmtsboteError('unavailable', 'The gateway is busy with other submissions; send this one again shortly.', [], {
      retryAfter: options.retryAfterSeconds,
    });

  const run = async (task: IntakeTask, transferList: ArrayBuffer[]): Promise<TaskOutcome> => {
    if (inFlight >= capacity) throw busy();
    inFlight += 1;
    try {
      return (await pool.run(task, { transferList })) as TaskOutcome;
    } catch (error) {
      if (error instanceof Error && /queue/i.test(error.message)) throw busy();
      options.logger.error({ errorClass: (error as Error).name }, 'an intake pool thread failed');
      throw new InternalError();
    } finally {
      inFlight -= 1;
    }
  };

  const stale = () => {
    if (warnedStale) return;
    warnedStale = true;
    options.logger.warn(
      { configHash: options.workerData.configHash },
      'the configuration files changed since they were loaded: intake runs in-process until `amtsbote config reload`',
    );
  };

  const warmUp = (): Promise<void> => {
    warming ??= (pool.run({ name: 'warm' } satisfies IntakeTask) as Promise<TaskOutcome>).then(
      (outcome) => {
        if ('stale' in outcome) stale();
        else options.logger.info({ threads: options.threads }, 'intake pool ready: intake runs on its threads');
        warm = true;
      },
      (error: unknown) => {
        options.logger.warn({ errorClass: (error as Error).name }, 'an intake pool thread did not start');
        warming = undefined;
      },
    );
    return warming;
  };

  const settle = (outcome: TaskOutcome): unknown => {
    if ('ok' in outcome) {
      if (outcome.ok) return outcome.value;
      if (outcome.error.kind === 'other')
        options.logger.error({ errorClass: outcome.error.errorClass }, 'an intake task failed on a pool thread');
      throw errorFromData(outcome.error);
    }
    return undefined;
  };

  return {
    async validate(input) {
      if (!warm) {
        void warmUp();
        return local.validate(input);
      }
      const outcome = await run({ name: 'validate', input }, []);
      if ('stale' in outcome) {
        stale();
        return local.validate(input);
      }
      return settle(outcome) as Record<string, unknown>;
    },
    async produceAndSeal(input) {
      if (!warm) {
        void warmUp();
        return local.produceAndSeal(input);
      }
      const outcome = await run({ name: 'produceAndSeal', input }, movableBuffers(input.contents.values()));
      if ('stale' in outcome) {
        stale();
        return local.produceAndSeal({ ...input, contents: asBuffers(outcome.contents ?? new Map()) });
      }
      const sealed = settle(outcome) as SealedSubmission;
      return {
        messages: sealed.messages.map((m) => ({ ...m, body: typeof m.body === 'string' ? m.body : asBuffer(m.body) })),
        escrow: { ...sealed.escrow, body: asBuffer(sealed.escrow.body) },
      };
    },
    warmUp,
    close: () => pool.close(),
    load: () => ({ tasks: inFlight, capacity }),
  };
}
