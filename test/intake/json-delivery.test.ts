import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

// The injected clock: assertions read it, not the system clock.
const fixedNow = new Date('2026-11-25T09:30:00.000Z');
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ clock: () => fixedNow });
});
afterAll(async () => {
  await gw.stop();
});

const example = (file: string) => structuredClone(loadExamples().find((e) => e.file === file)!.envelope);

async function openFor(accepted: { body: Record<string, unknown> }) {
  const [delivery] = accepted.body.destinations as { destinationId: string; messageId: string }[];
  const key = JSON.parse(
    readFileSync(
      join(
        projectRoot,
        `config/demo/${delivery!.destinationId.split('-')[0]!}-buergerdienste.encryption.private-jwk.DEVELOPMENT-ONLY.json`,
      ),
      'utf8',
    ),
  ) as Record<string, unknown>;
  const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
  const stored = await gw.store.getSealedMessage(delivery!.messageId);
  return openSealedMessage(stored!.body, {
    recipientKeys: [key],
    gatewayJwks: jwks,
    expectedDestinationId: delivery!.destinationId,
  });
}

describe('services without an XÖV standard', () => {
  it('deliver their validated data as JSON whose metadata name the schema URI (FIT-Connect submissionSchema)', async () => {
    const envelope = example('dresden-neustadt.json');
    const accepted = await postJson(gw.url, '/v1/submissions', envelope);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const opened = await openFor(accepted);
    expect(opened.metadata.contentStructure.data).toMatchObject({
      mediaType: 'application/json',
      submissionSchema: {
        schemaUri: 'https://amtsbote.dev/schemas/services/bewohnerparkausweis/1.json',
        mimeType: 'application/json',
      },
    });
    expect(opened.metadata.standard).toEqual({
      name: 'json',
      version: '1',
      message: 'bewohnerparkausweis.antrag',
      schemaSet: 'https://amtsbote.dev/schemas/services/bewohnerparkausweis/1.json',
    });
    expect(JSON.parse(opened.data.toString('utf8'))).toEqual(envelope.data);
    expect([...opened.attachments.keys()]).toEqual(['zb1']);
  });

  it('reshape where the mapping says so: the defect report arrives as a GeoReport service request with its photos', async () => {
    const envelope = example('dresden-schlagloch.json');
    const accepted = await postJson(gw.url, '/v1/submissions', envelope);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const opened = await openFor(accepted);
    expect(opened.metadata.contentStructure.data).toMatchObject({
      submissionSchema: { schemaUri: 'https://amtsbote.dev/schemas/delivered/maengelmelder-georeport/1.json' },
    });
    expect(JSON.parse(opened.data.toString('utf8'))).toEqual({
      service_code: 'road-damage',
      description: envelope.data.description,
      lat: 51.06475,
      long: 13.75208,
      address_string: 'Königsbrücker Straße 59',
      location_note: 'vor der Haltestelle Bischofsweg, stadtauswärts',
      requested_datetime: '2026-11-24T07:45:00+01:00',
      media: ['foto-1', 'foto-2'],
      name: 'Frank Ullrich',
      email: 'f.ullrich@mail.example',
      wants_feedback: true,
      jurisdiction_id: '146120000000',
      service_request_id: accepted.body.submissionId,
    });
    expect([...opened.attachments.keys()].sort()).toEqual(['foto-1', 'foto-2']);
  });
});

describe('service assertions', () => {
  it('evaluate with the injected clock: 30 days ahead is accepted, 31 refused with the pointer and message', async () => {
    const envelope = example('dresden-neustadt.json');
    envelope.data.validFrom = '2026-12-25';
    expect((await postJson(gw.url, '/v1/submissions', envelope)).status).toBe(202);
    envelope.data.validFrom = '2026-12-26';
    const refused = await postJson(gw.url, '/v1/submissions', envelope);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('https://amtsbote.dev/problems/invalid-data');
    expect(refused.body.errors).toEqual([
      { pointer: '/data/validFrom', detail: 'darf höchstens 30 Tage in der Zukunft liegen' },
    ]);
  });

  it('report every rule that fails, and leave a rule over an absent optional field alone', async () => {
    const envelope = example('leipzig-hotel-oktober.json');
    envelope.data.period = { start: '2026-11-01', end: '2026-10-31' };
    envelope.data.taxAmount = 1;
    const refused = await postJson(gw.url, '/v1/submissions', envelope);
    expect(refused.status).toBe(422);
    expect((refused.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/data/period/end',
      '/data/taxAmount',
    ]);

    const dog = example('dresden-welpe.json');
    delete (dog.data.dog as Record<string, unknown>).birthDate;
    expect((await postJson(gw.url, '/v1/submissions', dog)).status).toBe(202);
  });

  it('hold a guest-tax report to 5 % of the revenue, rounded down to the cent per taxable night (Leipzig)', async () => {
    // 3 taxable nights at 33.33 € each: 1.6665 € a night, 1.66 € after rounding down; 5 % of 99.99 € is 4.9995 €.
    const envelope = example('leipzig-ferienwohnung-september.json');
    Object.assign(envelope.data, { overnightStays: { total: 4, exempt: 1 }, taxableRevenue: 99.99 });
    const answer = async (taxAmount: number) => {
      const res = await postJson(gw.url, '/v1/submissions', {
        ...envelope,
        reference: `GT-${taxAmount}`,
        data: { ...envelope.data, taxAmount },
      });
      return res.status === 202
        ? 'accepted'
        : (res.body.errors as { pointer: string; detail: string }[]).map((e) => `${e.pointer} ${e.detail}`).join('; ');
    };
    expect(await answer(4.98)).toBe('accepted');
    expect(await answer(4.99)).toBe('accepted');
    expect(await answer(4.97)).toBe('accepted');
    expect(await answer(5)).toBe('/data/taxAmount ist höher als 5 % des steuerpflichtigen Übernachtungsentgelts');
    expect(await answer(4.96)).toMatch(/^\/data\/taxAmount ist niedriger als 5 %/);
  });

  it('do not run on data the schema refused', async () => {
    const envelope = example('dresden-neustadt.json');
    envelope.data.validFrom = 'not a date';
    const refused = await postJson(gw.url, '/v1/submissions', envelope);
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/schema/);
  });
});
