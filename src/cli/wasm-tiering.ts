import { setFlagsFromString } from 'node:v8';

/**
 * V8's budget for moving a WebAssembly function from its baseline compiler (Liftoff) to the optimising one
 * (TurboFan), raised from 1.8 M to 100 M: compiling the XSD schema sets (libxml2-wasm) at start made V8 optimise
 * libxml2's large schema-parsing functions, which are run for a moment and never again — about two thirds of the
 * sets' compile time (issue 26; CPU for the XMeld 26.11 set ~190 → ~60 ms). Functions that validate every message
 * still reach TurboFan: measured, the CPU per validation after the first 500 is the same as with the default.
 *
 * Set before libxml2-wasm is first imported (the actions import it), for the process and its threads. Only on
 * Node 20 (V8 11.3), whose flag this is: an unknown flag would print an error on every command. Left alone when
 * the operator set a WebAssembly tiering flag of their own.
 */
export function delayWasmTierUp(
  nodeVersion: string = process.versions.node,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  if (!nodeVersion.startsWith('20.')) return false;
  if ([...execArgv, nodeOptions].some((a) => /wasm-tiering|wasm-dynamic-tiering|liftoff/.test(a))) return false;
  setFlagsFromString(`--wasm-tiering-budget=${wasmTieringBudget}`);
  return true;
}

export const wasmTieringBudget = 100_000_000;
