import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoReceivers, type DemoReceivers } from '../../src/cli/demo-receiver.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/logger.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { projectRoot } from '../helpers/paths.js';

const secret = readFileSync(join(projectRoot, 'config/demo/chemnitz-webhook.secret.DEVELOPMENT-ONLY'), 'utf8').trim();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp(url: string) {
  const copy: ConfigCopy = copyConfig({ urls: { 'chemnitz-gewerbeamt': url } });
  const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-demo-receiver-'));
  cleanups.push(() => {
    copy.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write: (c: Buffer, _e, done) => {
        lines.push(c.toString());
        done();
      },
    }),
  });
  const config = loadConfig({ configFile: copy.configFile, env: { AMTSBOTE_DATA_DIR: dataDir } });
  return {
    config,
    logger,
    dataDir,
    logs: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; destinationId?: string }),
  };
}

async function started(url: string) {
  const ctx = setUp(url);
  const receivers: DemoReceivers = await startDemoReceivers(ctx.config, ctx.logger);
  cleanups.push(() => receivers.close());
  return { ...ctx, receivers };
}

function signedPost(url: string, body: string, messageId: string, signingSecret = secret) {
  const id = `msg_${messageId}`;
  const timestamp = new Date();
  const signature = new Webhook(signingSecret).sign(id, timestamp, body);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'amtsbote-message-id': messageId,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  });
}

describe('demo receiver', () => {
  it('serves the loopback http destination, keeps a correctly signed message once and acknowledges a repeat', async () => {
    const { receivers, dataDir, logs } = await started('http://127.0.0.1:0/gewerbe/eingang');
    const url = receivers.urls['chemnitz-gewerbeamt']!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/gewerbe\/eingang$/);
    expect(logs()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          destinationId: 'chemnitz-gewerbeamt',
          msg: expect.stringContaining('demo receiver listening') as string,
        }),
      ]),
    );

    const first = await signedPost(url, '{"format":"amtsbote-sealed/1","messageId":"m-1"}', 'm-1');
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 'm-1' });
    const file = join(dataDir, 'demo-receiver', 'chemnitz-gewerbeamt', 'm-1.json');
    expect(readFileSync(file, 'utf8')).toBe('{"format":"amtsbote-sealed/1","messageId":"m-1"}');

    const again = await signedPost(url, '{"format":"amtsbote-sealed/1","messageId":"m-1","changed":true}', 'm-1');
    expect(again.status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe('{"format":"amtsbote-sealed/1","messageId":"m-1"}');
  });

  it('refuses a wrong signature, a missing message id, another path and another method, and keeps nothing', async () => {
    const { receivers, dataDir } = await started('http://127.0.0.1:0/gewerbe/eingang');
    const url = receivers.urls['chemnitz-gewerbeamt']!;
    const other = 'whsec_' + Buffer.from('another secret entirely, 32 byte').toString('base64');
    expect((await signedPost(url, '{}', 'm-2', other)).status).toBe(401);
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await signedPost(url, '{}', '../escape')).status).toBe(400);
    expect((await signedPost(url.replace('/eingang', '/anderswo'), '{}', 'm-3')).status).toBe(404);
    expect((await fetch(url)).status).toBe(405);
    const dir = join(dataDir, 'demo-receiver', 'chemnitz-gewerbeamt');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('warns and carries on when the address is taken', async () => {
    const blocker: Server = createServer((_q, s) => s.end());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) =>
          blocker.close(() => {
            resolve();
          }),
        ),
    );
    const port = (blocker.address() as AddressInfo).port;
    const { receivers, logs } = await started(`http://127.0.0.1:${port}/gewerbe/eingang`);
    expect(receivers.urls).toEqual({});
    expect(logs()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          destinationId: 'chemnitz-gewerbeamt',
          msg: expect.stringContaining('demo receiver not started') as string,
        }),
      ]),
    );
  });

  it('serves no destination outside this machine', async () => {
    const { receivers } = await started('http://gewerbe.chemnitz.example/eingang');
    expect(receivers.urls).toEqual({});
  });
});
