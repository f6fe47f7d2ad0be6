import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

/**
 * Issue 26, item 2: the outbox worker runs in a thread of its own. The portal's callback receiver runs in a
 * thread of the test's, so it answers while the test's main thread — which is also the gateway's intake
 * thread — is blocked in Atomics.wait: a callback that arrives then was sent by a worker off that thread. With
 * the worker on the main thread, nothing could be sent while it is blocked, and the wait would run out.
 */
const receiverCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const count = new Int32Array(workerData.shared);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    // The first callback is refused: its retry comes seconds later, by the worker's own timer.
    if (Atomics.load(count, 0) === 0) res.writeHead(503, { 'retry-after': '1' }).end();
    else res.writeHead(200).end('ok');
    Atomics.add(count, 0, 1);
    Atomics.notify(count, 0);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

let gw: TestGateway;
let receiver: Worker;
const count = new Int32Array(new SharedArrayBuffer(4));
let receiverUrl = '';

let config: ConfigCopy;
beforeAll(async () => {
  receiver = new Worker(receiverCode, { eval: true, workerData: { shared: count.buffer } });
  const port = await new Promise<number>((resolve) => receiver.once('message', resolve));
  receiverUrl = `http://127.0.0.1:${port}`;
  config = copyConfig({ delivery: { thread: true } });
  gw = await startTestGateway({ configFile: config.configFile });
});

afterAll(async () => {
  await gw.stop();
  config.remove();
  const exited = new Promise((resolve) => receiver.once('exit', resolve));
  receiver.postMessage('close');
  await exited;
});

describe('the delivery worker', () => {
  it('runs in a thread of its own: callbacks go out while the intake thread is blocked', async () => {
    const worker = gw.worker as { threadId?: number; running?: Promise<void> } | undefined;
    // The gateway does not wait for its delivery thread to start (it is ready before): the test does.
    await worker?.running;
    expect(worker?.threadId).toBeGreaterThan(0);
    const example = loadExamples().find((e) => e.file === 'leipzig-gmbh.json');
    const accepted = await postJson(gw.url, '/v1/submissions', {
      ...example?.envelope,
      callbackUrl: `${receiverUrl}/status`,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    // Block this thread until the receiver counts another request. A request that came in before the wait began
    // proves nothing, so the wait starts again from the new count; the refused first callback guarantees a retry.
    const outcomes: string[] = [];
    while (outcomes.length < 10 && outcomes.at(-1) !== 'ok' && outcomes.at(-1) !== 'timed-out') {
      outcomes.push(Atomics.wait(count, 0, Atomics.load(count, 0), 60_000));
    }
    expect(outcomes).toContain('ok');
    expect(outcomes).not.toContain('timed-out');
  });
});
