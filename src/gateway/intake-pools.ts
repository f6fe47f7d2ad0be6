import { availableParallelism } from 'node:os';
import type { LoadOptions } from '../config/load.js';
import type { GatewayConfig } from '../config/gateway-schema.js';
import type { Logger } from '../lib/logger.js';
import { inProcessIntake, intakePool, type IntakeCpu } from '../intake/pool/intake-pool.js';
import type { ConfigurationInForce } from './configuration-in-force.js';

export interface IntakePools {
  /** The CPU steps for the configuration in force: a reload gets a new pool, whose threads load the new files. */
  current(): IntakeCpu;
  /** Waits for the tasks taken, then stops every pool's threads. */
  close(): Promise<void>;
  /** The pool in force: tasks admitted and its bound (for /metrics); none before the first submission or in-process. */
  load(): { tasks: number; capacity: number } | undefined;
}

/** One per core (gateway-schema.ts `limits.intakeThreads` says why not one fewer, as measured on two cores). */
const defaultIntakeThreads = () => availableParallelism();

/** 32 waiting tasks per core, whatever the threads: an operator who sets fewer threads must not get 503s sooner. */
const defaultIntakeQueue = () => 32 * availableParallelism();

/** A request that took the old pool before a reload may still run its second task there: the old pool stays a while. */
const retireAfterMs = 150_000;

/**
 * One intake pool per configuration generation, made when the generation is first used: a thread builds its
 * configuration from the files when it starts, so a pool serves exactly one set. The old pool is closed after
 * the requests that began on it can no longer be running (as reload.ts frees the old XÖV set).
 */
export function intakePools(deps: {
  configuration: ConfigurationInForce;
  load: LoadOptions;
  limits: GatewayConfig['limits'];
  logger: Logger;
}): IntakePools {
  const { configuration, limits, logger } = deps;
  const threads = limits.intakeThreads ?? defaultIntakeThreads();
  const load: LoadOptions = {
    configFile: deps.load.configFile,
    cwd: deps.load.cwd ?? process.cwd(),
    env: { ...(deps.load.env ?? process.env) },
  };
  let generation: { set: ReturnType<ConfigurationInForce['current']>; cpu: IntakeCpu } | undefined;
  const retiring = new Map<NodeJS.Timeout, IntakeCpu>();
  const closeQuietly = (cpu: IntakeCpu) =>
    cpu.close().catch((error: unknown) => {
      logger.warn({ errorClass: (error as Error).name }, 'closing an intake pool failed');
    });

  return {
    current() {
      const set = configuration.current();
      if (generation?.set === set) return generation.cpu;
      if (generation) {
        const previous = generation.cpu;
        const timer = setTimeout(() => {
          retiring.delete(timer);
          void closeQuietly(previous);
        }, retireAfterMs);
        timer.unref();
        retiring.set(timer, previous);
      }
      const cpu =
        threads === 0
          ? inProcessIntake(set)
          : intakePool(set, {
              threads,
              queue: limits.intakeQueue ?? defaultIntakeQueue(),
              retryAfterSeconds: 1,
              workerData: { load, configHash: set.config.hash },
              logger,
            });
      generation = { set, cpu };
      return cpu;
    },
    load: () => generation?.cpu.load(),
    async close() {
      const pools = [...retiring.values(), ...(generation ? [generation.cpu] : [])];
      for (const timer of retiring.keys()) clearTimeout(timer);
      retiring.clear();
      generation = undefined;
      await Promise.all(pools.map(closeQuietly));
    },
  };
}
