import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigWithRoutingSeed } from '../../src/config/load.js';
import { deliveryConfig } from '../../src/gateway/delivery-thread.js';
import type { DeliveryThreadData } from '../../src/gateway/delivery-thread-protocol.js';
import { createLogger } from '../../src/lib/logger.js';
import { startRoutingState } from '../../src/routing/routing-state.js';
import { openStore } from '../../src/store/open-store.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadedOf, runTraced } from '../helpers/module-trace.js';
import { projectRoot } from '../helpers/paths.js';
import { requireBuilt } from '../helpers/process.js';

/**
 * The delivery thread sends sealed messages and verifies receipts; it never maps, validates or seals (issue 26).
 * It gets the gateway's settings from the main thread, so it loads neither the configuration files nor the schema,
 * mapping and XML libraries: each would cost every gateway megabytes and seconds of CPU in a thread that never
 * uses them. Checked by what the built thread loads, recorded as in test/cli/start-loads.test.ts.
 */
const entry = join(projectRoot, 'dist/src/gateway/delivery-thread-entry.js');
const runner = join(projectRoot, 'test/fixtures/module-trace/delivery-thread.mjs');
const dir = mkdtempSync(join(tmpdir(), 'amtsbote-delivery-loads-'));
let config: ConfigCopy;
let dataFile: string;

beforeAll(async () => {
  config = copyConfig({ delivery: { thread: true } });
  const loaded = loadConfigWithRoutingSeed({
    configFile: config.configFile,
    env: { AMTSBOTE_DATA_DIR: join(dir, 'data') },
  });
  if (!('routing' in loaded.routingSeed)) throw loaded.routingSeed.problem;
  // What the gateway's start does before it starts the thread: the store migrated, the routing seeded.
  const logger = createLogger({ level: 'silent' });
  const store = await openStore(loaded, logger);
  const routing = await startRoutingState({
    store,
    seed: loaded.routingSeed.routing,
    knownServices: () => new Set(loaded.services.keys()),
    fileDropRoot: loaded.fileDropRoot,
    logger,
    now: () => new Date(),
    pollMs: 60_000,
  });
  routing.stop();
  await store.close();
  const data: DeliveryThreadData = {
    config: deliveryConfig(loaded),
    logLevel: 'warn',
    services: [...loaded.services.keys()],
  };
  dataFile = join(dir, 'thread-data.json');
  writeFileSync(dataFile, JSON.stringify(data));
});

afterAll(() => {
  config.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the built delivery thread in a process of its own until it is ready; what it loaded, and its output. */
function threadLoads(): { ready: boolean; modules: string[]; output: string } {
  requireBuilt(entry);
  const { stdout, stderr, modules } = runTraced([runner, entry, dataFile], join(dir, 'trace.txt'));
  return { ready: stdout.includes('ready'), modules, output: `${stdout}${stderr}` };
}

/** What only intake needs: configuration files, data schemas, mappings, XML writing and XSD validation. */
const intakeOnly = [
  '/dist/src/config/load.js',
  '/dist/src/xoev/',
  '/dist/src/intake/',
  '/dist/src/fim/',
  '/node_modules/ajv/',
  '/node_modules/libxml2-wasm/',
  '/node_modules/jsonata/',
  '/node_modules/xmlbuilder2/',
];

describe('the delivery thread', () => {
  it('starts from the settings it is sent, and loads no configuration file nor schema, mapping or XML library', () => {
    const { ready, modules, output } = threadLoads();
    expect(ready, output).toBe(true);
    // The recorder saw the thread's own modules: without this an empty trace would pass the check below.
    expect(loadedOf(modules, ['/dist/src/gateway/delivery-thread-entry.js', '/dist/src/delivery/worker.js'])).toEqual([
      '/dist/src/gateway/delivery-thread-entry.js',
      '/dist/src/delivery/worker.js',
    ]);
    expect(loadedOf(modules, intakeOnly)).toEqual([]);
  });
});
