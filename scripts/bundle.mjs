// The command's bundle (`npm run build`, after tsc): dist/src/ and its dependencies as about a hundred files in
// dist/bundle/, which bin/amtsbote runs. Resolving, reading and compiling the 400-odd modules one by one took
// about a fifth of `amtsbote config check` and a quarter of the gateway's start (measured, issue 26); from the
// bundle `config check` loads 25 files. dist/src/ stays as it is: it is the package's library (`exports`) and
// what the unit tests and the module-trace tests load.
//
// The threads' entry files are entries of their own with their names kept, because the code that starts them
// finds them next to itself (`new URL('./intake-worker.js', import.meta.url)`); chunks stay in the same folder
// for the same reason. Left out of the bundle, and loaded from node_modules at run time: packages that load
// files of their own by path — a native addon (better-sqlite3; pg's optional pg-native), a WebAssembly file
// next to its module (libxml2-wasm), worker files (piscina's, pino's transports) — and xmlbuilder2, which the
// code requires lazily.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/bundle`;
const external = ['better-sqlite3', 'pg', 'pg-native', 'libxml2-wasm', 'piscina', 'pino', 'xmlbuilder2'];
const builtins = new Set(builtinModules);

const isExternal = (id) =>
  id.startsWith('node:') || builtins.has(id) || external.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * Hands rolldown tsc's source map with each compiled module, so the bundle's maps lead back to `src/*.ts` (with
 * `--enable-source-maps` a stack trace names the TypeScript file and line) instead of to `dist/src/`.
 */
const typescriptSourceMaps = {
  name: 'typescript-source-maps',
  async load(id) {
    if (!id.startsWith(`${root}dist/src/`) || !id.endsWith('.js') || !existsSync(`${id}.map`)) return null;
    const [code, map] = await Promise.all([readFile(id, 'utf8'), readFile(`${id}.map`, 'utf8')]);
    return { code, map: JSON.parse(map) };
  },
};

await rm(outDir, { recursive: true, force: true });
await build({
  input: {
    cli: `${root}dist/src/cli.js`,
    'intake-worker': `${root}dist/src/intake/pool/intake-worker.js`,
    'delivery-thread-entry': `${root}dist/src/gateway/delivery-thread-entry.js`,
  },
  platform: 'node',
  external: isExternal,
  plugins: [typescriptSourceMaps],
  output: {
    dir: outDir,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
  },
  logLevel: 'warn',
});
