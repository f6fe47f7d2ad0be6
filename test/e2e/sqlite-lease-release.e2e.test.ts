import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { copyFixtureKeys, type FixtureKeys } from '../helpers/fixture-keys.js';
import { getJson, postJson } from '../helpers/http.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

const destinationId = 'chemnitz-gewerbeamt';
const example = loadExamples().find(
  (e) => !e.invalid && e.file.startsWith('chemnitz-') && e.service.startsWith('gewerbe'),
)!;
// Far longer than the test may take: a delivery that arrives after the restart was not waiting for its lease to expire.
const leaseSeconds = 3600;

let fixtureKeys: FixtureKeys;
beforeAll(() => {
  fixtureKeys = copyFixtureKeys();
});
afterAll(() => {
  fixtureKeys.remove();
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('SQLite: a restart releases the leases of the killed process at once', () => {
  it('deliveries in flight at a SIGKILL arrive after the restart without waiting out the lease', async () => {
    const receiver: TestReceiver = await startReceiver();
    const config: ConfigCopy = copyConfig({
      urls: { [destinationId]: `${receiver.url}/gewerbe/eingang` },
      retry: { [destinationId]: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.5, maxAttempts: 50 } },
      delivery: { concurrency: 4, pollMs: 50, leaseSeconds },
      keys: fixtureKeys.keys,
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-lease-'));
    const env = { AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir };
    const gateways: GatewayProcess[] = [];
    cleanup = async () => {
      await Promise.all(
        gateways.filter((g) => g.child.exitCode === null && g.child.signalCode === null).map((g) => g.stop('SIGKILL')),
      );
      await receiver.close();
      config.remove();
      rmSync(dataDir, { recursive: true, force: true });
    };

    // The receiver holds every request until the first process is dead: its deliveries stay leased.
    let answering = false;
    receiver.respond = (_req, res) => {
      if (answering) res.writeHead(204).end();
    };
    const first = await spawnGateway(env);
    gateways.push(first);
    const accepted: { submissionId: string; messageId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(first.url, '/v1/submissions', { ...example.envelope, reference: `LEASE-${i}` });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const messageId = (res.body.destinations as { destinationId: string; messageId: string }[]).find(
        (d) => d.destinationId === destinationId,
      )!.messageId;
      accepted.push({ submissionId: res.body.submissionId as string, messageId });
    }
    await waitUntil(
      () => receiver.received.length >= 3,
      20_000,
      () => `received ${receiver.received.length}\n${first.output()}`,
    );
    expect(await first.stop('SIGKILL')).toBeNull();

    answering = true;
    const before = receiver.received.length;
    const second = await spawnGateway(env);
    gateways.push(second);
    let last: string[] = [];
    await waitUntil(
      async () => {
        last = await Promise.all(
          accepted.map(async (a) =>
            String((await getJson(second.url, `/v1/submissions/${a.submissionId}`)).body.status),
          ),
        );
        return last.every((st) => st === 'delivered');
      },
      60_000,
      () => `statuses ${JSON.stringify(last)}\n${second.output()}`,
    );
    const again = new Set(receiver.received.slice(before).map((r) => String(r.headers['amtsbote-message-id'])));
    for (const a of accepted) expect(again.has(a.messageId), a.messageId).toBe(true);
    expect(second.output()).toContain('released the leases of the previous gateway process');
  }, 120_000);
});
