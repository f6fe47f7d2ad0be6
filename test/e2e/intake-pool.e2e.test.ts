import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { getJson, postJson } from '../helpers/http.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { processBoundMs, waitUntil } from '../helpers/wait.js';

// Issue 26: intake's CPU work runs on a bounded pool. With one thread and a queue of one, a burst of
// submissions fills it (once its thread has loaded the configuration; until then intake runs in-process): each
// answer is 202 or 503 with Retry-After, the store holds exactly the 202'd ones, and sending the refused ones
// again gets them in. The refusal comes from the pool and nothing else here: test/intake/pool proves the bound.
const burst = 32;
const example = loadExamples().find((e) => !e.invalid && e.envelope.attachments === undefined)!;
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-e2e-pool-'));
  config = copyConfig({
    keys: {
      signing: ownerOnlyKeyFile(dataDir, 'gateway-signing-1'),
      escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1'),
    },
    delivery: { enabled: false },
    limits: { intakeThreads: 1, intakeQueue: 1, portalBurst: 10_000, portalRequestsPerSecond: 10_000 },
    settings: { listen: { host: '127.0.0.1', port: 0 } },
  });
  gateway = await spawnGateway({ AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir });
});

afterAll(async () => {
  await gateway?.stop();
  config.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

function submit(reference: string) {
  return postJson(gateway!.url, '/v1/submissions', { ...example.envelope, reference });
}

async function storedReferences(): Promise<string[]> {
  const list = await getJson(gateway!.url, '/v1/submissions?limit=500');
  expect(list.status).toBe(200);
  return (list.body.submissions as { reference?: string }[]).flatMap((s) => (s.reference ? [s.reference] : []));
}

describe('a full intake pool', () => {
  it('answers 503 with Retry-After, loses nothing it accepted, stores nothing it refused', async () => {
    const accepted = new Set<string>();
    let refused: string[] = [];
    // Until the thread has loaded the configuration (seconds, on a busy machine tens of them) intake runs
    // in-process; the first submission starts it, and the gateway says when the pool has taken over.
    const first = await submit('pool-first');
    expect(first.status).toBe(202);
    accepted.add('pool-first');
    await waitUntil(
      () => gateway!.output().includes('intake pool ready'),
      processBoundMs,
      () => gateway!.output().slice(-2000),
    );
    // Rounds of concurrent submissions until the pool has refused some.
    for (let round = 0; round < 10 && refused.length === 0; round++) {
      const references = Array.from({ length: burst }, (_, i) => `pool-${round}-${i}`);
      const answers = await Promise.all(references.map(submit));
      answers.forEach((answer, i) => {
        const reference = references[i]!;
        if (answer.status === 202) {
          accepted.add(reference);
          return;
        }
        expect(answer.status, JSON.stringify(answer.body)).toBe(503);
        expect(answer.type).toContain('application/problem+json');
        expect(answer.body.type).toBe('https://amtsbote.dev/problems/unavailable');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        refused.push(reference);
      });
    }
    expect(refused.length).toBeGreaterThan(0);
    expect((await storedReferences()).sort()).toEqual([...accepted].sort());

    // Sent again one at a time, as a client following Retry-After would: each gets in.
    for (const reference of refused) {
      const answer = await submit(reference);
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      accepted.add(reference);
    }
    refused = [];
    const stored = await storedReferences();
    expect(stored.length).toBe(accepted.size);
    expect(new Set(stored)).toEqual(accepted);
  });
});
