import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { demoToken } from '../helpers/http.js';

// Hostile and malformed input, generated: every answer is 202 or a 4xx problem document — never a 5xx, never
// a hang — and a refused request changes nothing in the store.
const valid = loadExamples().filter((e) => !e.invalid);
let config: ConfigCopy;
let gw: TestGateway;
let accepted = 0;
let tried = 0;
beforeAll(async () => {
  config = copyConfig({
    delivery: { enabled: false },
    limits: { portalRequestsPerSecond: 100_000, portalBurst: 100_000, maxStringLength: 100_000 },
  });
  gw = await startTestGateway({ configFile: config.configFile });
});
afterAll(async () => {
  await gw.stop();
  config.remove();
});

function storedSubmissions(): number {
  const db = new BetterSqlite3(join(gw.dataDir, 'amtsbote.sqlite'), { readonly: true });
  try {
    return (db.prepare('select count(*) as n from submissions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const pointerPattern = /^(\/([^~/]|~[01])*)*$/;

async function post(body: string | Buffer, contentType = 'application/json') {
  tried++;
  const res = await fetch(gw.url + '/v1/submissions', {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${demoToken}` },
    body,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  if (res.status === 202) {
    accepted++;
    return;
  }
  expect(res.status, text.slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(res.status, text.slice(0, 500)).toBeLessThan(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = JSON.parse(text) as { type: string; errors?: { pointer: string }[] };
  expect(problem.type).toMatch(/^https:\/\/amtsbote\.dev\/problems\/[a-z-]+$/);
  if (res.status === 400 || res.status === 422) {
    expect(problem.errors?.length, text.slice(0, 500)).toBeGreaterThan(0);
    for (const e of problem.errors ?? []) expect(e.pointer).toMatch(pointerPattern);
  }
}

async function postChunked(chunks: Buffer[], contentType: string): Promise<number> {
  tried++;
  // A stream body goes out with Transfer-Encoding: chunked; each enqueued buffer becomes (at least) one chunk.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new Uint8Array(c));
      controller.close();
    },
  });
  const res = await fetch(gw.url + '/v1/submissions', {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${demoToken}` },
    body,
    duplex: 'half',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status === 202) {
    accepted++;
    return res.status;
  }
  expect(res.status, text.slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(res.status, text.slice(0, 500)).toBeLessThan(500);
  expect((JSON.parse(text) as { type: string }).type).toMatch(/^https:\/\/amtsbote\.dev\/problems\/[a-z-]+$/);
  return res.status;
}

const multipartType = 'multipart/form-data; boundary=xyz';
const withAttachments = valid.filter((e) => Array.isArray(e.envelope.attachments) && e.envelope.attachments.length > 0);

/** A submission as multipart bytes: the envelope (without inline content) and one part per attachment. */
function multipartBytes(envelope: Record<string, unknown>): Buffer {
  const attachments = (envelope.attachments ?? []) as {
    id: string;
    filename: string;
    mediaType: string;
    content?: string;
  }[];
  const head = `--xyz\r\nContent-Disposition: form-data; name="submission"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ ...envelope, attachments: attachments.map(({ content: _c, ...rest }) => rest) })}\r\n`;
  const parts = attachments.map((a) =>
    Buffer.concat([
      Buffer.from(
        `--xyz\r\nContent-Disposition: form-data; name="${a.id}"; filename="${a.filename}"\r\nContent-Type: ${a.mediaType}\r\n\r\n`,
      ),
      Buffer.from(a.content ?? '', 'base64'),
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([Buffer.from(head), ...parts, Buffer.from('--xyz--\r\n')]);
}

function splitAt(body: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) chunks.push(body.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < body.length) chunks.push(body.subarray(from));
  return chunks;
}

function splitRandomly(body: Buffer, seed: number): Buffer[] {
  return splitAt(
    body,
    Array.from({ length: 4 }, (_, i) => (seed * 7919 + i * 104_729) % Math.max(1, body.length)),
  );
}

/** Values that have broken parsers, mappers and XML writers before. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'Mu\u0308ller',
    'Ma\u0301rta',
    '\u0000',
    'a\u0007b',
    'Zeile\nZeile',
    'Tab\there',
    '\r',
    '<![CDATA[x]]>',
    ']]>',
    '&amp;',
    '<a>&</a>',
    '"\'<>&',
    '\uFEFF',
    '\uD800',
    '\u202Eevil',
    '2026-02-30',
    '2026-13-01',
    '0000-00-00',
    '1900-02-29',
    'x'.repeat(200_000),
    ' ',
  ),
  fc.integer(),
  fc.constantFrom(-1, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 1.5, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.constant(Array.from({ length: 5000 }, (_, i) => i)),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x', ''), fc.string(), {
    maxKeys: 3,
  }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
  fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.array(tie('node'), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 2 }),
    ),
  })).node,
);

/** Every path into a JSON value (objects and arrays included), with the root as []. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => here.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) here.push(...paths(v, [...prefix, k]));
  return here;
}

type Mutation = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'add'; key: string; value: unknown };

function mutate(envelope: unknown, path: (string | number)[], mutation: Mutation): unknown {
  const copy = structuredClone(envelope) as Record<string | number, unknown>;
  if (path.length === 0) return mutation.kind === 'set' ? mutation.value : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (mutation.kind === 'set') parent[last] = mutation.value;
  else if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else Reflect.deleteProperty(parent, last);
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, mutation.key, {
        value: mutation.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), value: nasty }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({
    kind: fc.constant('add' as const),
    key: fc.constantFrom('__proto__', 'constructor', 'extra', 'x-amtsbote'),
    value: nasty,
  }),
);

const settings = { numRuns: 150, interruptAfterTimeLimit: 60_000, seed: 20261125 };

describe('intake under generated hostile input', () => {
  it('answers every mutated valid example with 202 or a 4xx problem with pointers', async () => {
    const cases = valid.map((e) => ({ envelope: e.envelope, paths: paths(e.envelope) }));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: cases.length - 1 }), fc.nat(), mutation, async (which, where, change) => {
        const chosen = cases[which]!;
        const body = mutate(chosen.envelope, chosen.paths[where % chosen.paths.length]!, change);
        await post(JSON.stringify(body));
      }),
      settings,
    );
  });

  it('answers arbitrary JSON and arbitrary bytes with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.constantFrom('{', '[]', '{"a":1,}', '\uFEFF{}', '{"serviceKey":' + '['.repeat(5000)),
        ),
        async (body) => {
          await post(body);
        },
      ),
      settings,
    );
  });

  it('answers broken multipart bodies with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('multipart/form-data; boundary=xyz', 'multipart/form-data', 'multipart/form-data; boundary='),
        async (body, type) => {
          await post(`--xyz\r\nContent-Disposition: form-data; name="submission"\r\n\r\n${body}\r\n--xyz--\r\n`, type);
        },
      ),
      { ...settings, numRuns: 60 },
    );
  });

  it('answers multipart submissions cut off at any byte with 202 (whole) or a 4xx problem, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: withAttachments.length - 1 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        async (which, permille, chunked) => {
          const whole = multipartBytes(withAttachments[which]!.envelope);
          // per mille of the length, so that cuts fall into the envelope, the part headers and the attachments alike
          const cut = whole.subarray(0, Math.round((whole.length * permille) / 1000));
          if (chunked) await postChunked(splitRandomly(cut, which), multipartType);
          else await post(cut, multipartType);
        },
      ),
      { ...settings, numRuns: 60 },
    );
  });

  it('answers JSON and multipart bodies sent chunked (no Content-Length) in any split as with a length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: valid.length - 1 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 4000 }), { minLength: 1, maxLength: 8 }),
        async (which, asMultipart, cuts) => {
          const envelope = valid[which]!.envelope;
          const body = asMultipart ? multipartBytes(envelope) : Buffer.from(JSON.stringify(envelope));
          expect(await postChunked(splitAt(body, cuts), asMultipart ? multipartType : 'application/json')).toBe(202);
        },
      ),
      { ...settings, numRuns: 40 },
    );
  });

  it('answers attachment ids that are folders or prototype names with a 4xx, in JSON and in multipart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: withAttachments.length - 1 }),
        fc.constantFrom(
          '.',
          '..',
          '__proto__',
          'constructor',
          'prototype',
          'toString',
          'valueOf',
          'hasOwnProperty',
          '__lookupGetter__',
        ),
        fc.boolean(),
        async (which, id, asMultipart) => {
          const envelope = structuredClone(withAttachments[which]!.envelope);
          const attachments = envelope.attachments as { id: string }[];
          attachments[0]!.id = id;
          const before = accepted;
          if (asMultipart) await post(multipartBytes(envelope), multipartType);
          else await post(JSON.stringify(envelope));
          expect(accepted).toBe(before);
        },
      ),
      { ...settings, numRuns: 40 },
    );
  });

  it('stored exactly the submissions it accepted', () => {
    expect(tried).toBeGreaterThan(400);
    expect(accepted).toBeGreaterThan(0);
    expect(storedSubmissions()).toBe(accepted);
  });
});
