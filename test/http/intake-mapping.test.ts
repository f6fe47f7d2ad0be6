import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const dresden = loadExamples().find((e) => e.file === 'dresden-einzelunternehmen.json')!;

interface GewerbeData {
  persons: { familyName: string }[];
  activity: { description: string };
  business: { legalForm: string };
}

function withData(change: (data: GewerbeData) => void) {
  const envelope = structuredClone(dresden.envelope);
  change(envelope.data as unknown as GewerbeData);
  return envelope;
}

describe("intake maps and validates every destination's message", () => {
  it("refuses a person's name outside DIN 91379 datatype A with a pointer, and XML metacharacters there too", async () => {
    for (const bad of ['Müller<b>', 'Müller & Söhne', 'O\u0027Brien\u0007', '王']) {
      const res = await postJson(
        gw.url,
        '/v1/submissions',
        withData((d) => {
          d.persons[0]!.familyName = bad;
        }),
      );
      expect(res.status, bad).toBe(422);
      expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain('/data/persons/0/familyName');
    }
  });

  it('accepts XML metacharacters in free text (datatype C) and NFD input', async () => {
    const res = await postJson(
      gw.url,
      '/v1/submissions',
      withData((d) => {
        d.activity.description = 'Röstkaffee <Einzelhandel> & Café ]]> "Tee" \'Zubehör\'';
        d.persons[0]!.familyName = 'Mu\u0308ller';
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  });

  it('names the field and the code list for a code that is not in its list', async () => {
    const res = await postJson(
      gw.url,
      '/v1/submissions',
      withData((d) => {
        d.business.legalForm = '999';
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-data');
    const error = (res.body.errors as { pointer: string; detail: string }[]).find(
      (e) => e.pointer === '/data/business/legalForm',
    );
    expect(error?.detail).toMatch(/rechtsform/i);
  });
});
