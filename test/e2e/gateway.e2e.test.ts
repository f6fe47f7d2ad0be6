import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples, personalStrings } from '../helpers/examples.js';
import { getJson, multipartOf, postJson } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { pollValue, processBoundMs } from '../helpers/wait.js';

const examples = loadExamples();
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-e2e-'));
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir });
});
// (gateway is missing when beforeAll failed: that failure is the one to see, not a TypeError here)
afterAll(async () => {
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

async function pollReady(url: string) {
  const ready = await pollValue(
    () => getJson(url, '/health/ready').catch((error: unknown) => ({ status: 0, body: { error: String(error) } })),
    (res) => res.status === 200,
  );
  expect(ready.status, JSON.stringify(ready.body)).toBe(200);
  return ready.body as { configHash: string };
}

describe('the gateway as a real process', () => {
  const accepted: { submissionId: string; statusUrl: string; destinations: { messageId: string }[] }[] = [];

  it('becomes ready and accepts every valid example, refuses every invalid one with a pointer', async () => {
    const ready = await pollReady(gateway.url);
    expect(ready.configHash).toMatch(/^[0-9a-f]{64}$/);
    for (const example of examples) {
      const res = await postJson(gateway.url, '/v1/submissions', example.envelope);
      if (example.invalid) {
        expect(res.status, example.file).toBe(422);
        expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(example.expectedPointer);
      } else {
        expect(res.status, example.file).toBe(202);
        accepted.push(res.body as (typeof accepted)[number]);
        expect((await getJson('', res.body.statusUrl as string)).status).toBe(200);
      }
    }
  });

  it('answers the same Idempotency-Key with the same submission, also as multipart', async () => {
    const example = examples.find((e) => !e.invalid && Array.isArray(e.envelope.attachments))!;
    const first = await postJson(gateway.url, '/v1/submissions', example.envelope, { 'idempotency-key': 'e2e-key-1' });
    const form = await fetch(gateway.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: 'Bearer amt24-demo-token', 'idempotency-key': 'e2e-key-1' },
      body: multipartOf(example.envelope),
    });
    expect(form.status).toBe(202);
    expect(((await form.json()) as { submissionId: string }).submissionId).toBe(first.body.submissionId);
  });

  it('refuses a wrong token with 401', async () => {
    const res = await postJson(gateway.url, '/v1/submissions', examples[0]!.envelope, {
      authorization: 'Bearer wrong',
    });
    expect(res.status).toBe(401);
  });

  it(
    'keeps every status across a restart',
    async () => {
      expect(await gateway.stop('SIGTERM')).toBe(0);
      gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir });
      await pollReady(gateway.url);
      for (const a of accepted) {
        const status = await getJson(gateway.url, `/v1/submissions/${a.submissionId}`);
        expect(status.status).toBe(200);
        // mailbox: waiting for pickup; file drop: delivered; the demo's http receiver is not running: retrying
        expect(['pending', 'delivered']).toContain(status.body.status);
        expect((status.body.destinations as { messageId: string }[]).map((d) => d.messageId).sort()).toEqual(
          a.destinations.map((d) => d.messageId).sort(),
        );
      }
    },
    3 * processBoundMs,
  ); // a stop, a start and a wait, each bounded on its own

  it('leaves none of the personal data of the examples in the data dir', () => {
    const needles = examples.filter((e) => !e.invalid).flatMap((e) => personalStrings(e.envelope.data));
    expect(needles.length).toBeGreaterThan(20);
    const files = filesBelow(dataDir);
    expect(files.some((f) => f.endsWith('amtsbote.sqlite'))).toBe(true);
    for (const file of files) {
      const content = readFileSync(file);
      for (const needle of needles) expect(containsAsText(content, needle), `${needle} in ${file}`).toBe(false);
    }
  });
});

const base64urlByte = /[A-Za-z0-9_-]/;

/**
 * Whether `needle` stands in `content` as text of its own: not as a run inside base64url, where the store's
 * sealed parts are text too and a five-letter name turns up by chance (64^-5 per position, megabytes of
 * ciphertext: a few per cent of runs). A value leaked as text stands between quotes, tags, spaces or punctuation.
 */
function containsAsText(content: Buffer, needle: string): boolean {
  const bytes = Buffer.from(needle, 'utf8');
  for (let at = content.indexOf(bytes); at !== -1; at = content.indexOf(bytes, at + 1)) {
    const before = at > 0 ? String.fromCharCode(content[at - 1]!) : ' ';
    const after = at + bytes.length < content.length ? String.fromCharCode(content[at + bytes.length]!) : ' ';
    if (!base64urlByte.test(before) && !base64urlByte.test(after)) return true;
  }
  return false;
}
