import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceiptContext } from '../../src/delivery/receive-receipt.js';
import { startDeliveryThread, type DeliveryThread } from '../../src/gateway/delivery-thread.js';
import type { DeliveryConfig } from '../../src/gateway/delivery-thread-protocol.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { projectRoot } from '../helpers/paths.js';

/**
 * A delivery thread that stops unexpectedly is started again until a start succeeds, however often starts fail
 * meanwhile (the store may be down for minutes). The thread is a scripted stand-in with the real start/stop
 * protocol (test/fixtures/delivery-thread), so each start's fate is the test's choice, not the machine's.
 */
const entry = pathToFileURL(join(projectRoot, 'test/fixtures/delivery-thread/scripted-thread.mjs'));

let dir = '';
let thread: DeliveryThread | undefined;
afterEach(async () => {
  await thread?.stop(1000);
  thread = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function startScripted(plan: string[], restartDelays: { firstMs: number; maxMs: number }) {
  dir = mkdtempSync(join(tmpdir(), 'amtsbote-delivery-thread-'));
  const script = join(dir, 'plan.json');
  const log = join(dir, 'starts.log');
  writeFileSync(script, JSON.stringify({ plan, log }));
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  thread = startDeliveryThread({
    // The scripted thread reads only its plan, named where the real thread finds its configuration file.
    config: { configFile: script } as DeliveryConfig,
    services: () => [],
    logger,
    metrics: createMetrics(),
    // The scripted thread fetches no receipts.
    receipts: {} as ReceiptContext,
    restartDelays,
    entry,
  });
  const starts = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
  const messages = () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  return { starts, messages };
}

describe('the delivery thread restart', () => {
  it('goes on after failed starts until one succeeds', async () => {
    const { starts, messages } = startScripted(['crash', 'fail', 'fail', 'fail', 'run'], {
      firstMs: 10,
      maxMs: 80,
    });
    for (let i = 0; i < 400 && !(starts().length === 5 && thread?.threadId !== undefined); i++) await sleep(25);
    expect(starts()).toEqual(['crash', 'fail', 'fail', 'fail', 'run']);
    expect(thread?.threadId).toBeGreaterThan(0);
    expect(messages().filter((m) => m.includes('stopped unexpectedly'))).toHaveLength(1);
    expect(messages().filter((m) => m.includes('could not be started again'))).toHaveLength(3);
  });

  it('ends its attempts when the gateway stops', async () => {
    const { starts } = startScripted(['crash', 'fail'], { firstMs: 1000, maxMs: 60_000 });
    for (let i = 0; i < 400 && starts().length < 2; i++) await sleep(25);
    expect(starts()).toEqual(['crash', 'fail']);
    // The next start is due 2 s after the failed one; the stop does not wait for it, and none happens after.
    await thread?.stop(1000);
    await sleep(2500);
    expect(starts()).toHaveLength(2);
    expect(thread?.threadId).toBeUndefined();
  });
});
