import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAttachmentId } from '../../src/receiver/format.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { demoToken, multipartOf, postJson } from '../helpers/http.js';

// Issue 19 F6: ids that the pattern admits but that mean folders as file names or change an object's
// behaviour as member names were sealed into a 500. One rule (receiver/format.ts) now refuses them wherever
// an id arrives, with a 400 and a pointer.
const example = loadExamples().find((e) => e.file === 'leipzig-gmbh.json')!;
const reserved = [
  '.',
  '..',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

function withAttachmentId(id: string): Record<string, unknown> {
  const [attachment] = example.envelope.attachments as Record<string, unknown>[];
  return {
    ...example.envelope,
    reference: `ids-${Math.random().toString(36).slice(2)}`,
    attachments: [{ ...attachment, id }],
  };
}

describe('attachment ids', () => {
  it('has an example whose one attachment the test renames', () => {
    expect((example.envelope.attachments as unknown[]).length).toBe(1);
  });

  it.each(reserved)('refuses the id %j in a JSON submission with 400 at /attachments/0/id', async (id) => {
    const res = await postJson(gw.url, '/v1/submissions', withAttachmentId(id));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-envelope');
    expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain('/attachments/0/id');
  });

  it.each(reserved)('refuses the id %j in a multipart submission with 400 at /attachments/0/id', async (id) => {
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: `Bearer ${demoToken}` },
      body: multipartOf(withAttachmentId(id)),
    });
    const body = (await res.json()) as { type: string; errors: { pointer: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.errors.map((e) => e.pointer)).toContain('/attachments/0/id');
  });

  it.each(reserved)(
    'refuses a multipart part named %j that the envelope does not list, as an invalid attachment',
    async (id) => {
      const form = multipartOf(example.envelope);
      form.append(id, new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), 'x.pdf');
      const res = await fetch(gw.url + '/v1/submissions', {
        method: 'POST',
        headers: { authorization: `Bearer ${demoToken}` },
        body: form,
      });
      const body = (await res.json()) as { type: string };
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(body.type).toBe('https://amtsbote.dev/problems/invalid-attachment');
    },
  );

  it('still accepts ordinary ids with dots, hyphens and underscores', async () => {
    for (const id of ['att-1', 'a.b', '_x', '...', 'proto', 'Constructor']) {
      expect(isAttachmentId(id)).toBe(true);
      const res = await postJson(gw.url, '/v1/submissions', withAttachmentId(id));
      expect(res.status, `${id}: ${JSON.stringify(res.body)}`).toBe(202);
    }
  });

  it('logged no internal error', () => {
    expect(gw.logs()).not.toContain('"level":50');
  });
});
