import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { demoToken, postJson } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { rawRequest } from '../helpers/raw-http.js';

// Issue 19 F1/F4/F7 against the real process: bodies that are truncated, never finished, longer than allowed
// or more than the memory budget holds, and more connections than the cap — each answered, none ending the
// process, and a valid submission accepted afterwards by the same process.
const example =
  loadExamples().find((e) => !e.invalid && e.file === 'leipzig-gaststaette.json') ??
  loadExamples().find((e) => !e.invalid)!;
const maxBodyBytes = 1024 * 1024;
const maxConnections = 12;
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-e2e-hostile-'));
  config = copyConfig({
    keys: {
      signing: ownerOnlyKeyFile(dataDir, 'gateway-signing-1'),
      escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1'),
    },
    delivery: { enabled: false },
    limits: { maxBodyBytes, inFlightBodyBytes: Math.round(1.5 * maxBodyBytes), bodyWaitSeconds: 1, bodyIdleSeconds: 5 },
    settings: { listen: { host: '127.0.0.1', port: 0, maxConnections } },
  });
  gateway = await spawnGateway({ AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  config.remove();
});

/** The process started in beforeAll (a failed start fails there, not here). */
function gw(): GatewayProcess {
  if (!gateway) throw new Error('the gateway did not start');
  return gateway;
}

const auth = { Authorization: `Bearer ${demoToken}` };
const multipartHeaders = (body: string) => ({
  ...auth,
  'Content-Type': 'multipart/form-data; boundary=B',
  'Content-Length': String(Buffer.byteLength(body)),
});
const envelopeJson = JSON.stringify(example.envelope);

async function expectAlive() {
  expect(gw().child.exitCode).toBeNull();
  expect(gw().child.signalCode).toBeNull();
  const res = await postJson(gw().url, '/v1/submissions', { ...example.envelope, reference: `alive-${Date.now()}` });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

describe('hostile request bodies against the real process', () => {
  const truncations: [string, string][] = [
    [
      'a file part that is never closed',
      '--B\r\nContent-Disposition: form-data; name="att-1"; filename="x"\r\n\r\nAAAA',
    ],
    [
      'the submission sent as a file and cut off',
      `--B\r\nContent-Disposition: form-data; name="submission"; filename="s.json"\r\nContent-Type: application/json\r\n\r\n${envelopeJson.slice(0, 40)}`,
    ],
    [
      'an unterminated second part',
      `--B\r\nContent-Disposition: form-data; name="submission"\r\n\r\n${envelopeJson}\r\n--B\r\nContent-Disposition: form-data; name="att-1"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4`,
    ],
    ['a part header cut off', '--B\r\nContent-Disposition: form-da'],
    [
      'a form field cut off',
      `--B\r\nContent-Disposition: form-data; name="submission"\r\n\r\n${envelopeJson.slice(0, 60)}`,
    ],
  ];

  it.each(truncations)('answers %s with 400 and a pointer, and keeps running', async (_name, body) => {
    const answer = await rawRequest(gw().url, { path: '/v1/submissions', headers: multipartHeaders(body), body });
    expect(answer.status, answer.head + answer.body).toBe(400);
    const problem = JSON.parse(answer.body) as { type: string; errors: { pointer: string }[] };
    expect(problem.type).toBe('https://amtsbote.dev/problems/invalid-envelope');
    expect(problem.errors[0]?.pointer).toMatch(/^(|\/attachments)$/);
    await expectAlive();
  });

  it('answers each truncation sent chunked (no Content-Length) the same way', async () => {
    for (const [, body] of truncations) {
      const answer = await rawRequest(gw().url, {
        path: '/v1/submissions',
        headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=B', 'Transfer-Encoding': 'chunked' },
        body: `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      });
      expect(answer.status, answer.head + answer.body).toBe(400);
    }
    await expectAlive();
  });

  it('cuts a chunked multipart body off at the limit instead of reading it to its end', async () => {
    const head = `--B\r\nContent-Disposition: form-data; name="att-1"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
    let first = true;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const answer = await rawRequest(gw().url, {
      path: '/v1/submissions',
      headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=B', 'Transfer-Encoding': 'chunked' },
      nextChunk: () => {
        if (!first) return chunk;
        first = false;
        return Buffer.concat([Buffer.from(head), chunk]);
      },
      // 64 MB at most; the gateway must answer long before
      maxChunks: 1024,
      timeoutMs: 60_000,
    });
    expect(answer.endedByServer).toBe(true);
    // The answer is 413, unless the connection was reset before the client read it (it was still sending).
    if (answer.status !== 0) expect(answer.status).toBe(413);
    // Socket buffers on loopback hold a few MB; reading the body to its end would be 64 MB.
    expect(answer.bytesWritten).toBeLessThan(24 * maxBodyBytes);
    await expectAlive();
  });

  it('answers a chunked body that stops arriving with 408 after the idle time, not after the request timeout', async () => {
    const body = `--B\r\nContent-Disposition: form-data; name="submission"\r\n\r\n${envelopeJson.slice(0, 30)}`;
    const started = Date.now();
    const answer = await rawRequest(gw().url, {
      path: '/v1/submissions',
      headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=B', 'Transfer-Encoding': 'chunked' },
      body: `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n`,
      timeoutMs: 60_000,
    });
    expect(answer.status, answer.head).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'https://amtsbote.dev/problems/request-timeout' });
    // bodyIdleSeconds is 5; the request timeout 120 s (a bound with room for a busy machine, not a timing test)
    expect(Date.now() - started).toBeLessThan(60_000);
    await expectAlive();
  });

  it('answers 503 with Retry-After when the bodies in flight fill the memory budget, and admits the next once it frees', async () => {
    // The first request declares 1 MiB and sends a little: its reservation holds 1 MiB of the 1.5 MiB budget.
    const holding = rawRequest(gw().url, {
      path: '/v1/submissions',
      headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(maxBodyBytes) },
      body: '{"serviceKey":',
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 500));
    const refused = await rawRequest(gw().url, {
      path: '/v1/submissions',
      headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(maxBodyBytes - 10) },
      body: '{',
      timeoutMs: 60_000,
    });
    expect(refused.status, refused.head + refused.body).toBe(503);
    expect(refused.head).toMatch(/\r\nRetry-After: \d+/i);
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'https://amtsbote.dev/problems/unavailable' });
    // The held body stops arriving: 408 frees its share of the budget.
    expect((await holding).status).toBe(408);
    await expectAlive();
  });

  it('refuses connections beyond the cap at once and serves again when they are gone', async () => {
    const sockets: Socket[] = [];
    const closedByServer: boolean[] = [];
    try {
      for (let i = 0; i < maxConnections + 2; i++) {
        const socket = connect(Number(new URL(gw().url).port), '127.0.0.1');
        const index = sockets.push(socket) - 1;
        closedByServer[index] = false;
        socket.on('close', () => {
          closedByServer[index] = true;
        });
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => {
          socket.once('connect', () => {
            resolve();
          });
          socket.once('close', () => {
            resolve();
          });
        });
      }
      // The last ones opened are beyond the cap: the server closes them without a byte.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !closedByServer.at(-1)) await new Promise((r) => setTimeout(r, 100));
      expect(closedByServer.at(-1)).toBe(true);
      expect(closedByServer.filter(Boolean).length).toBeLessThanOrEqual(sockets.length);
    } finally {
      for (const s of sockets) s.destroy();
    }
    // The server counts its connections down as they close; give it a moment on a busy machine.
    const deadline = Date.now() + 20_000;
    for (let i = 0; i < 100 && Date.now() < deadline; i++) {
      const res = await fetch(gw().url + '/health/live').catch(() => undefined);
      if (res?.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await expectAlive();
  });

  it('logged no error that escaped every handler', () => {
    expect(gw().output()).not.toContain('escaped every handler');
    expect(gw().output()).not.toContain('Unexpected end of form');
  });
});
