import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { Writable } from 'node:stream';

const marker = 'Zyxqwvmarker';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

/** Puts the marker into every name, street and place of the data, keeping each value valid for its field. */
function markData(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /name|street|place|city/i.test(key) && !/code|key/i.test(key))
    return `${marker} ${value}`.slice(0, 40);
  if (Array.isArray(value)) return value.map((v) => markData(v, key));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markData(v, k)]));
  return value;
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe('logs and data dir', () => {
  it('never contain submission data or tokens, in success and in failure', async () => {
    const example = loadExamples().find((e) => !e.invalid && e.service === 'gewerbeanmeldung')!;
    const data = markData(example.envelope.data) as Record<string, unknown>;
    expect(JSON.stringify(data)).toContain(marker);
    const accepted = await postJson(gw.url, '/v1/submissions', { ...example.envelope, data });
    expect(accepted.status).toBe(202);
    const refused = await postJson(gw.url, '/v1/submissions', {
      ...example.envelope,
      data: { ...data, unknownField: `${marker} refused` },
    });
    expect(refused.status).toBe(422);
    await postJson(gw.url, '/v1/submissions', example.envelope, { authorization: `Bearer ${marker}token` });
    await postJson(gw.url, '/v1/submissions', `{"broken": "${marker} json`);

    const logs = gw.logs();
    expect(logs).toContain('"request"');
    expect(logs).not.toContain(marker);
    expect(logs).not.toContain('amt24-demo-token');
    for (const file of filesBelow(gw.dataDir)) {
      expect(readFileSync(file).includes(marker), file).toBe(false);
    }
  });

  it('redacts data, tokens and keys that a caller passes to the logger by mistake', () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write: (c: Buffer, _e, done) => {
          lines.push(c.toString());
          done();
        },
      }),
    });
    logger.info(
      {
        data: { name: marker },
        token: marker,
        headers: { authorization: marker },
        nested: { privateKey: marker, content: marker },
      },
      'oops',
    );
    expect(lines.join('')).not.toContain(marker);
  });
});
