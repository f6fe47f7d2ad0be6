/**
 * How long an e2e test waits for another process (a start, a delivery, a reload) before it gives up. Generous on
 * purpose: on a busy machine (load 8–13 on two cores) every process runs several times slower, and a wait ends as
 * soon as its condition holds, so the bound costs nothing when things go right.
 */
export const processBoundMs = 120_000;

/**
 * Polls until `done` holds, bounded by time and by count (e2e tests wait for other processes); throws with
 * `what()` — what was seen instead — when the time is up.
 */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 5000; i++) {
    if (await done()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what()}`);
}

/**
 * Probes until `check` holds and returns the last value either way (bounded by time and by count), so that the
 * test's own assertion on it says what was seen instead.
 */
export async function pollValue<T>(
  probe: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = processBoundMs,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  for (let i = 0; i < 5000 && !check(value) && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}
