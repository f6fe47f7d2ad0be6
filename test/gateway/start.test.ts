import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigWithRoutingSeed } from '../../src/config/load.js';
import { startTestGateway } from '../helpers/gateway.js';
import { projectRoot } from '../helpers/paths.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-gateway-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('starting the gateway', () => {
  it('leaves nothing running when a late step fails (the port is taken), and the data dir starts again at once', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const before = timers();
    try {
      await expect(startTestGateway({ dataDir, env: { AMTSBOTE_PORT: String(port) } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
    // routing poll, key refresh, housekeeping and the worker were started before listening: all stopped again
    // (as soon as their stops have run, which a busy machine delays)
    await waitUntil(
      () => timers() <= before,
      processBoundMs,
      () => `${timers()} timers running, ${before} before the start`,
    );
    const gateway = await startTestGateway({ dataDir });
    try {
      expect((await fetch(gateway.url + '/health/ready')).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('starts with the configuration `serve` loaded, without loading the files a second time', async () => {
    // serve loads the configuration for its demo receiver; the gateway once loaded it again (issue 26). The
    // loaded configuration carries a mark no load of the files gives: the gateway must be running on it.
    const own = mkdtempSync(join(tmpdir(), 'amtsbote-gateway-loaded-'));
    const env = { AMTSBOTE_DATA_DIR: own, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0' };
    const configFile = join(projectRoot, 'config/gateway.yaml');
    try {
      const loaded = { ...loadConfigWithRoutingSeed({ configFile, env }), hash: 'loaded-by-serve' };
      const gateway = await startTestGateway({ dataDir: own, env, configFile, loaded });
      try {
        expect(gateway.config.hash).toBe('loaded-by-serve');
      } finally {
        await gateway.stop();
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
