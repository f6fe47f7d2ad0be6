import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this many bytes of attachments a submission's garbage is left to V8's own schedule. */
export const LARGE_SUBMISSION_BYTES = 4 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection now, where a large submission has just made tens of megabytes garbage (its raw
 * body and base64 text once decoded; its sealed buffers once stored). V8 collects those large objects only
 * at its next full collection, which may come after the next large body has arrived: measured on the bench
 * of issue 19 (F4), that garbage stacked up to 100 MB of peak RSS. Costs a few tens of milliseconds per
 * large submission, which take about a second anyway; a no-op where the runtime does not allow it.
 */
export function reclaimMemory(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    try {
      if (exposed) {
        collect = exposed;
      } else {
        // `gc` is exposed in contexts created after the flag is set; the function collects the whole heap.
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      }
    } catch {
      collect = null;
    }
    if (typeof collect !== 'function') collect = null;
  }
  collect?.();
}
