/**
 * The entry of an intake pool thread (pool/intake-pool.ts runs it with piscina). It reads the configuration files
 * the gateway loaded — once, at its first task — and compiles a service's validator and a standard's schema set
 * when a task first needs them (thread-configuration.ts); then it runs the CPU steps of intake on that set.
 * Results and errors travel as data; sealed bytes move back without a copy.
 */
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { loadConfigWithRoutingSeed, type LoadOptions } from '../../config/load.js';
import { installUint8ArrayToBase64 } from '../../seal/lib/uint8array-to-base64.js';
import { LARGE_SUBMISSION_BYTES, reclaimMemory } from '../reclaim-memory.js';
import type { ConfigurationSet } from '../configuration-set.js';
import { errorAsData, type ErrorData } from './errors-as-data.js';
import { produceAndSeal, type ProduceAndSealInput, type SealedSubmission } from './produce-and-seal-task.js';
import { threadConfiguration, type ThreadConfiguration } from './thread-configuration.js';
import { asBuffers, movableBuffers } from './transfer.js';
import { validateSubmission, type ValidateInput } from './validate-task.js';

/** What a pool's threads are started with: how the gateway loaded its configuration, and what it loaded. */
export interface IntakeWorkerData {
  load: LoadOptions;
  /** The hash (config/load.ts) of the configuration set this pool serves. */
  configHash: string;
}

export type IntakeTask =
  /** Reads the configuration (compiles nothing yet), and nothing else: the pool sends it first (intake-pool.ts). */
  | { name: 'warm' }
  | { name: 'validate'; input: ValidateInput }
  | { name: 'produceAndSeal'; input: ProduceAndSealInput };

/**
 * A task's outcome. `stale`: the files on disk are no longer those of the set in force (edited and not yet
 * reloaded), so this thread cannot serve it; the task's attachment contents come back for the caller to use.
 */
export type TaskOutcome =
  | { ok: true; value: unknown }
  | { ok: false; error: ErrorData }
  | { stale: true; contents?: ReadonlyMap<string, Uint8Array> | undefined };

let loaded: ThreadConfiguration | 'stale' | undefined;

function configuration(): ThreadConfiguration | 'stale' {
  if (loaded) return loaded;
  installUint8ArrayToBase64();
  const data = workerData as IntakeWorkerData;
  try {
    const config = loadConfigWithRoutingSeed(data.load);
    loaded = config.hash === data.configHash ? threadConfiguration(config) : 'stale';
  } catch {
    // The files no longer load (edited since): the set in force is not to be had here.
    loaded = 'stale';
  }
  return loaded;
}

/**
 * The set with what `task` needs compiled (thread-configuration.ts). A schema or schema set that no longer
 * compiles was edited since the main thread checked it: this thread cannot serve the set in force any more.
 */
function setFor(thread: ThreadConfiguration, task: IntakeTask): ConfigurationSet | 'stale' {
  try {
    if (task.name === 'validate') return thread.forValidate(task.input.serviceKey);
    if (task.name === 'produceAndSeal') return thread.forProduce(task.input.targets.map((t) => t.destination.standard));
    return thread.forProduce([]);
  } catch {
    loaded = 'stale';
    return 'stale';
  }
}

export default async function runIntakeTask(task: IntakeTask): Promise<unknown> {
  const thread = configuration();
  const set = thread === 'stale' ? thread : setFor(thread, task);
  if (set === 'stale') {
    const contents = task.name === 'produceAndSeal' ? task.input.contents : undefined;
    return moving({ stale: true, contents }, contents?.values() ?? []);
  }
  try {
    if (task.name === 'warm') return { ok: true, value: null } satisfies TaskOutcome;
    if (task.name === 'validate') return { ok: true, value: await validateSubmission(set, task.input) };
    const contents = asBuffers(task.input.contents);
    const sealed = await produceAndSeal(set, { ...task.input, contents });
    // This thread's garbage of a large submission (its plain attachments, the plaintext pieces) is collected
    // once the sealed bytes have moved out, not at V8's next full collection here (see reclaim-memory.ts).
    if ([...contents.values()].reduce((sum, bytes) => sum + bytes.length, 0) >= LARGE_SUBMISSION_BYTES)
      setImmediate(reclaimMemory);
    return moving({ ok: true, value: sealed }, sealedBytes(sealed));
  } catch (error) {
    return { ok: false, error: errorAsData(error) } satisfies TaskOutcome;
  }
}

function sealedBytes(sealed: SealedSubmission): unknown[] {
  return [...sealed.messages.map((m) => m.body), sealed.escrow.body];
}

/** The outcome, with the ArrayBuffers of `bytes` moved rather than copied (piscina's transferable protocol). */
function moving(outcome: TaskOutcome, bytes: Iterable<unknown>): unknown {
  const transferList = movableBuffers(bytes);
  if (transferList.length === 0) return outcome;
  return move({
    get [transferableSymbol]() {
      return transferList;
    },
    get [valueSymbol]() {
      return outcome;
    },
  });
}
