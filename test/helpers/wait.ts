/**
 * Polls until `done` holds, bounded by time and by count (e2e tests wait for other processes); throws with
 * `what()` — what was seen instead — when the time is up.
 */
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 5000; i++) {
    if (await done()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what()}`);
}
