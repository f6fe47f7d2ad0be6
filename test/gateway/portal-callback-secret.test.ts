import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { copyConfig } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { startReceiver } from '../helpers/outbox.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

const copy = copyConfig();
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-callback-secret-'));
afterAll(() => {
  copy.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a portal's callback secret reference", () => {
  it('is taken from gateway.yaml where the operator fixed it, not from the copy the store was seeded with', async () => {
    // The store is seeded with the demo portal and its callback secret reference.
    const seeding = await startTestGateway({ configFile: copy.configFile, dataDir });
    await seeding.stop();

    // The operator moves the secret file and fixes the reference in gateway.yaml; the store still holds the old one.
    const oldRef = 'file:demo/amt24-callback.secret.DEVELOPMENT-ONLY';
    const newRef = 'file:secrets/amt24-callback.secret';
    const yaml = readFileSync(copy.configFile, 'utf8');
    expect(yaml).toContain(oldRef);
    writeFileSync(copy.configFile, yaml.replace(oldRef, newRef));
    const secretFile = join(copy.dir, 'secrets/amt24-callback.secret');
    mkdirSync(dirname(secretFile), { recursive: true });
    renameSync(join(copy.dir, 'demo/amt24-callback.secret.DEVELOPMENT-ONLY'), secretFile);

    const portal = await startReceiver();
    const gw = await startTestGateway({ configFile: copy.configFile, dataDir });
    try {
      const example = loadExamples().find((e) => e.file === 'leipzig-gmbh.json');
      const accepted = await postJson(gw.url, '/v1/submissions', {
        ...example?.envelope,
        callbackUrl: `${portal.url}/status`,
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      // Either the callback arrives, or its attempt fails for want of the secret the stored reference names.
      await waitUntil(
        () => portal.received.length > 0 || gw.logs().includes('callback-secret-unavailable'),
        processBoundMs,
        () => `no callback and no failed attempt; logs:\n${gw.logs().slice(-2000)}`,
      );
      expect(gw.logs()).not.toContain('callback-secret-unavailable');
      const secret = readFileSync(secretFile, 'utf8').trim();
      const [first] = portal.received;
      const payload = new Webhook(secret).verify(first!.body, {
        'webhook-id': String(first!.headers['webhook-id']),
        'webhook-timestamp': String(first!.headers['webhook-timestamp']),
        'webhook-signature': String(first!.headers['webhook-signature']),
      }) as { submissionId: string };
      expect(payload.submissionId).toBe(accepted.body.submissionId);
    } finally {
      await gw.stop();
      await portal.close();
    }
  });
});
