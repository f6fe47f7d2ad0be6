import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { routingSchema } from '../../src/config/routing-schema.js';
import { standaloneReroute } from '../../src/gateway/escrow-reroute.js';
import { openStore } from '../../src/store/open-store.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

let copy: ConfigCopy;
let dataDir: string;
let gw: TestGateway;
beforeAll(async () => {
  // no worker: the message stays as intake sealed it
  copy = copyConfig({ delivery: { enabled: false } });
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-reroute-'));
  gw = await startTestGateway({ configFile: copy.configFile, dataDir });
});
afterAll(async () => {
  await gw.stop();
  copy.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the reroute a CLI command builds beside the gateway (amtsbote dlq replay --reroute)', () => {
  it('re-seals a stored submission from its escrow copy with the keys the gateway signs with', async () => {
    const example = loadExamples().find((e) => e.file === 'dresden-welpe.json');
    const accepted = await postJson(gw.url, '/v1/submissions', example?.envelope);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const [{ messageId, destinationId }] = accepted.body.destinations as [{ destinationId: string; messageId: string }];

    const config = loadConfig({
      configFile: copy.configFile,
      env: { AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0' },
    });
    const store = await openStore(config);
    const wiring = await standaloneReroute(config, store);
    try {
      const [delivery] = await store.listDeliveries({ ids: [messageId], limit: 1 });
      const stored = await store.currentRouting();
      const destination = routingSchema.parse(stored?.document).destinations.find((d) => d.id === destinationId);
      if (!delivery || !destination) throw new Error('the accepted delivery or its destination is missing');

      const sealed = await wiring.reroute(delivery, destination);

      expect(sealed.deliveryId).toBe(messageId);
      expect(JSON.parse(sealed.body)).toMatchObject({ format: 'amtsbote-sealed/1', messageId, destinationId });
      const active = (await store.listKeyStates()).find((k) => k.purpose === 'signing' && k.state === 'active');
      expect(sealed.signingKid).toBe(active?.kid);
    } finally {
      wiring.close();
      await store.close();
    }
  });
});
