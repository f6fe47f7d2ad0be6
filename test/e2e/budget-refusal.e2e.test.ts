import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { demoToken } from '../helpers/http.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';

// Issue 19 F4: a large body sent into a full memory budget gets a 503 with Retry-After that an ordinary
// client reads — not a broken pipe because the server closed while the client was still sending. The
// bodies are far larger than the sockets' buffers, so the client is still writing when the answer comes.
const maxBodyBytes = 25 * 1024 * 1024;
const largeBody = Buffer.alloc(24 * 1024 * 1024, 0x20);
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess | undefined;
let holder: Socket | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-e2e-budget-'));
  config = copyConfig({
    keys: {
      signing: ownerOnlyKeyFile(dataDir, 'gateway-signing-1'),
      escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1'),
    },
    delivery: { enabled: false },
    limits: { maxBodyBytes, inFlightBodyBytes: 1024 * 1024, bodyWaitSeconds: 1, bodyIdleSeconds: 100 },
    settings: { listen: { host: '127.0.0.1', port: 0 } },
  });
  gateway = await spawnGateway({ AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir });
  // Holds the whole budget: declares 1 MiB and sends a few bytes, then nothing until the tests are done.
  const url = new URL(gateway.url);
  const socket = connect(Number(url.port), url.hostname);
  holder = socket;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write(
    `POST /v1/submissions HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${demoToken}\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n{"serviceKey":`,
  );
  // The reservation is made once the request reaches its handler; a small request proves the budget full.
  for (let i = 0; i < 100; i++) {
    const probe = await fetch(`${gateway.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demoToken}` },
      body: '{}',
    });
    await probe.arrayBuffer();
    if (probe.status === 503) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the budget did not fill');
}, 120_000);
afterAll(async () => {
  holder?.destroy();
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  config.remove();
});

function gw(): GatewayProcess {
  if (!gateway) throw new Error('the gateway did not start');
  return gateway;
}

describe('a large body refused by the memory budget', () => {
  it('reaches undici as a 503 with Retry-After, and the connection serves the next request', async () => {
    const dispatcher = new Agent({ connections: 1 });
    try {
      const res = await fetch(`${gw().url}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demoToken}` },
        body: largeBody,
        dispatcher,
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // not `close`: the server reads the rest and keeps the connection, rather than closing under a client still
      // sending
      expect(res.headers.get('connection')).toBe('keep-alive');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ type: 'https://amtsbote.dev/problems/unavailable', status: 503 });
      // The rest of the body was read and discarded, so the same connection carries the next request.
      const next = await fetch(`${gw().url}/v1/services`, {
        headers: { authorization: `Bearer ${demoToken}` },
        dispatcher,
      });
      expect(next.status).toBe(200);
      await next.arrayBuffer();
    } finally {
      await dispatcher.close();
    }
  }, 120_000);

  it('reaches curl as a 503 with Retry-After', async () => {
    const file = join(dataDir, 'large-body.json');
    writeFileSync(file, largeBody);
    const curl = spawn('curl', [
      '-sS',
      '-D',
      '-',
      '-o',
      '/dev/null',
      '-w',
      'status=%{http_code}\\n',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-H',
      `Authorization: Bearer ${demoToken}`,
      '--data-binary',
      `@${file}`,
      `${gw().url}/v1/submissions`,
    ]);
    let out = '';
    let err = '';
    curl.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    curl.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => curl.once('close', resolve));
    expect(code, err).toBe(0);
    expect(out).toMatch(/status=503/);
    expect(out).toMatch(/\r\nretry-after: \d+\r\n/i);
  }, 120_000);

  it('stops discarding a chunked body that goes on past the body limit, and closes its connection', async () => {
    const url = new URL(gw().url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    // an object: the handlers change it while the loop below runs
    const connection = { closed: false };
    socket.on('data', (c: Buffer) => {
      received += c.toString('latin1');
    });
    socket.on('error', () => {
      connection.closed = true;
    });
    socket.on('close', () => {
      connection.closed = true;
    });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/submissions HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${demoToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.concat([
      Buffer.from(`${(1024 * 1024).toString(16)}\r\n`),
      Buffer.alloc(1024 * 1024, 0x20),
      Buffer.from('\r\n'),
    ]);
    // At most three times the limit; the server is expected to hang up after about one.
    let sent = 0;
    for (; sent < 75 && !connection.closed; sent++) {
      if (!socket.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          const timer = setTimeout(done, 30_000);
          socket.once('drain', done);
          socket.once('close', done);
        });
      }
    }
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(connection.closed).toBe(true);
    expect(sent).toBeLessThan(75);
  }, 120_000);
});
