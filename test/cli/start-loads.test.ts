import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadedOf, moduleRecorder, runTraced } from '../helpers/module-trace.js';
import { requireBuilt, sourceCliPath, spawnGateway } from '../helpers/process.js';

/**
 * A CLI that starts at once (issue 26): the command tree is declared without the implementations, and each action
 * imports what it runs. Checked by what a command loads, not by how long it takes: the child process records every
 * module it loads (test/fixtures/module-trace/record-loads.mjs), and the heavy ones must not be among them.
 */
const dir = mkdtempSync(join(tmpdir(), 'amtsbote-start-loads-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
/** Runs the built CLI with the recorder; returns its exit status and the modules it loaded. */
function loadsOf(args: string[], env: Record<string, string> = {}): { status: number | null; modules: string[] } {
  requireBuilt(sourceCliPath);
  const { status, modules } = runTraced([sourceCliPath, ...args], join(dir, `trace-${++runs}.txt`), env);
  return { status, modules };
}

/** What a command that does not run the gateway must not load, each as a part of a module's path or URL. */
const gatewayOnly = [
  '/dist/src/gateway/start.js',
  '/dist/src/http/',
  '/dist/src/delivery/worker',
  '/node_modules/express/',
  '/node_modules/helmet/',
  '/node_modules/prom-client/',
  '/node_modules/pino/',
];
/** …and what `--help` needs none of: drivers, crypto, XML and schema machinery, configuration parsing. */
const heavyForHelp = [
  ...gatewayOnly,
  '/dist/src/store/',
  '/dist/src/config/load.js',
  '/node_modules/better-sqlite3/',
  '/node_modules/pg/',
  '/node_modules/kysely/',
  '/node_modules/libxml2-wasm/',
  '/node_modules/jose/',
  '/node_modules/ajv/',
  '/node_modules/zod/',
  '/node_modules/yaml/',
  '/node_modules/js-yaml/',
  '/node_modules/undici/',
  '/node_modules/xmlbuilder2/',
  '/node_modules/amqplib/',
];

describe('what a CLI command loads', () => {
  it('the recorder sees the entry, commander and a module an action imports', () => {
    // Without this, an empty trace would pass every check below.
    const { status, modules } = loadsOf(['config', 'check'], { AMTSBOTE_DATA_DIR: join(dir, 'data') });
    expect(status).toBe(0);
    expect(loadedOf(modules, ['/dist/src/cli.js', '/node_modules/commander/', '/dist/src/config/load.js'])).toEqual([
      '/dist/src/cli.js',
      '/node_modules/commander/',
      '/dist/src/config/load.js',
    ]);
  });

  it.each(['--help', 'serve --help', 'dlq replay --help', 'store --help', '--version'])(
    '`amtsbote %s` loads neither the gateway nor a driver, crypto, XML or schema library',
    (line) => {
      const { status, modules } = loadsOf(line.split(' '));
      expect(status).toBe(0);
      expect(loadedOf(modules, heavyForHelp)).toEqual([]);
    },
  );

  it('`amtsbote config check` without a store loads no store driver and nothing of the running gateway', () => {
    const { status, modules } = loadsOf(['config', 'check'], { AMTSBOTE_DATA_DIR: join(dir, 'fresh') });
    expect(status).toBe(0);
    expect(
      loadedOf(modules, [
        ...gatewayOnly,
        '/node_modules/better-sqlite3/',
        '/node_modules/pg/',
        '/node_modules/kysely/',
        '/dist/src/store/sqlite.js',
        '/dist/src/store/postgres.js',
      ]),
    ).toEqual([]);
  });

  it('`amtsbote config check` on routing without FIT-Connect destinations loads no transport, crypto, adapter or XML-writing code', () => {
    // The demo routing has none: the routing schema takes the adapters' config schemas from adapters/config/,
    // never from the adapters, and the FIT-Connect client is loaded only to ask a FIT-Connect destination.
    const { status, modules } = loadsOf(['config', 'check'], { AMTSBOTE_DATA_DIR: join(dir, 'fresh') });
    expect(status).toBe(0);
    expect(loadedOf(modules, ['/dist/src/adapters/config/index.js', '/dist/src/config/routing-schema.js'])).toEqual([
      '/dist/src/adapters/config/index.js',
      '/dist/src/config/routing-schema.js',
    ]);
    // Of adapters/ and seal/, only schemas (and what they take a constant or a type from) are loaded.
    const schemaOnly = [
      '/dist/src/adapters/callback-config.js',
      '/dist/src/adapters/file-root.js',
      '/dist/src/adapters/fitconnect/config.js',
      '/dist/src/seal/fitconnect/types.js',
      '/dist/src/seal/gateway-keys/config-schema.js',
    ];
    const adapterRuntime = modules.filter(
      (m) =>
        /\/dist\/src\/(adapters|seal)\//.test(m) &&
        !m.includes('/dist/src/adapters/config/') &&
        !schemaOnly.some((file) => m.endsWith(file)),
    );
    expect(adapterRuntime).toEqual([]);
    expect(
      loadedOf(modules, [
        '/node_modules/undici/',
        '/node_modules/amqplib/',
        '/node_modules/jose/',
        '/node_modules/standardwebhooks/',
        // loaded when the first message is written (xoev/mapping/serialize.ts); the check writes none
        '/node_modules/xmlbuilder2/',
        '/dist/src/adapters/index.js',
        '/dist/src/seal/index.js',
      ]),
    ).toEqual([]);
  });

  it('`amtsbote config check` over a SQLite store loads the SQLite driver only', () => {
    const data = join(dir, 'with-store');
    expect(loadsOf(['store', 'migrate'], { AMTSBOTE_DATA_DIR: data }).status).toBe(0);
    const { status, modules } = loadsOf(['config', 'check'], { AMTSBOTE_DATA_DIR: data });
    expect(status).toBe(0);
    expect(loadedOf(modules, ['/node_modules/better-sqlite3/', '/node_modules/pg/', ...gatewayOnly])).toEqual([
      '/node_modules/better-sqlite3/',
    ]);
  });

  it('`amtsbote serve` is ready without zod-openapi (loaded for the OpenAPI document) and amqplib (for a broker)', async () => {
    const trace = join(dir, 'trace-serve.txt');
    const gateway = await spawnGateway(
      {
        AMTSBOTE_DATA_DIR: join(dir, 'serve'),
        AMTSBOTE_MODULE_TRACE: trace,
        NODE_OPTIONS: `--import ${moduleRecorder}`,
      },
      { cli: sourceCliPath },
    );
    try {
      const traced = () => (existsSync(trace) ? readFileSync(trace, 'utf8') : '');
      expect((await fetch(new URL('/health/ready', gateway.url))).status).toBe(200);
      // The recorder saw the gateway's own modules (an empty trace would pass the check below)…
      expect(traced()).toContain('/dist/src/http/app.js');
      expect(traced()).not.toContain('/node_modules/zod-openapi/');
      // Loaded with the first connection to a broker, never at start (the adapters' table imported it).
      expect(traced()).not.toContain('/node_modules/amqplib/');
      // …and sees zod-openapi once the document is asked for.
      expect((await fetch(new URL('/v1/openapi.json', gateway.url))).status).toBe(200);
      expect(traced()).toContain('/node_modules/zod-openapi/');
    } finally {
      await gateway.stop();
    }
  });
});
