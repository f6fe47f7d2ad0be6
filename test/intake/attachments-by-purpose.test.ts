import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { demoToken, getJson, multipartOf, postJson } from '../helpers/http.js';
import { startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { replayFromEscrow } from '../helpers/replay-from-escrow.js';

/**
 * Attachments carry a purpose in FIT-Connect's words, and a mapping may pass a message only some purposes. In
 * a copy of the demo configuration the Gewerbeanmeldung's statistics message takes `{purposes: [form]}` and the
 * trade office's takes all: a submission with the portal's form PDF and the applicant's upload reaches the
 * statistics office with the form only and the trade office with both — at intake and when sealed again from
 * the escrow copy. The copy's Hundesteuer service admits `form` and `attachment` only.
 */
const examples = loadExamples();
const pdf = (
  examples.find((e) => e.file === 'leipzig-gmbh.json')!.envelope as unknown as {
    attachments: { id: string; content: string }[];
  }
).attachments[0]!;
const form = {
  id: 'antrag',
  filename: 'Antrag.pdf',
  mediaType: 'application/pdf',
  purpose: 'form',
  content: Buffer.from('%PDF-1.7 Antragsformular').toString('base64'),
};
const upload = {
  id: 'handwerkskarte',
  filename: 'Handwerkskarte.pdf',
  mediaType: 'application/pdf',
  content: pdf.content,
};
const envelope = {
  ...examples.find((e) => e.file === 'dresden-einzelunternehmen.json')!.envelope,
  attachments: [form, upload],
};
const hundesteuer = examples.find((e) => e.service === 'hundesteuer-anmeldung' && !e.invalid)!.envelope;
const demoJwk = (name: string) =>
  JSON.parse(
    readFileSync(join(projectRoot, `config/demo/${name}.encryption.private-jwk.DEVELOPMENT-ONLY.json`), 'utf8'),
  ) as Record<string, unknown>;

let copy: ConfigCopy;
let gw: TestGateway;
let receiver: TestReceiver;
let jwks: { keys: Record<string, unknown>[] };
beforeAll(async () => {
  copy = copyConfig({ copyMappings: true });
  for (const version of ['2.1', '2.2']) {
    const file = join(copy.mappingsDir, 'xgewerbeanzeige', version, 'gewerbeanmeldung.yaml');
    const text = readFileSync(file, 'utf8');
    if (!text.includes('sta.gewerbemeldung.0100: none'))
      throw new Error(`${file}: the statistics message's attachment rule moved`);
    writeFileSync(file, text.replace('sta.gewerbemeldung.0100: none', 'sta.gewerbemeldung.0100: { purposes: [form] }'));
  }
  const serviceFile = join(copy.dir, 'services', 'hundesteuer-anmeldung.yaml');
  writeFileSync(
    serviceFile,
    readFileSync(serviceFile, 'utf8').replace(/^attachments:\n/m, 'attachments:\n  purposes: [form, attachment]\n'),
  );
  receiver = await startReceiver();
  gw = await startTestGateway({ configFile: copy.configFile });
  jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as typeof jwks;
});
afterAll(async () => {
  await gw.stop();
  await receiver.close();
  copy.remove();
});

const open = (body: string, destinationId: string) =>
  openSealedMessage(body, {
    recipientKeys: [demoJwk(destinationId)],
    gatewayJwks: jwks,
    expectedDestinationId: destinationId,
  });
const messageIdFor = (body: Record<string, unknown>, destinationId: string) =>
  (body.destinations as { destinationId: string; messageId: string }[]).find((d) => d.destinationId === destinationId)!
    .messageId;
const purposesOf = (opened: Awaited<ReturnType<typeof open>>) =>
  opened.metadata.contentStructure.attachments.map((a) => [a.attachmentId, a.purpose]);

describe('attachments by purpose', () => {
  it("seals only the form into the statistics message, and both attachments with their purposes into the trade office's", async () => {
    const accepted = await postJson(gw.url, '/v1/submissions', { ...envelope, reference: 'PURPOSE-INTAKE' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);

    const statistics = await open(
      (await gw.store.getSealedMessage(messageIdFor(accepted.body, 'statistik-sachsen')))!.body,
      'statistik-sachsen',
    );
    expect(statistics.metadata.standard.message).toBe('sta.gewerbemeldung.0100');
    expect([...statistics.attachments.keys()]).toEqual(['antrag']);
    expect(statistics.attachments.get('antrag')!.content).toEqual(Buffer.from(form.content, 'base64'));
    expect(purposesOf(statistics)).toEqual([['antrag', 'form']]);

    const trade = await open(
      (await gw.store.getSealedMessage(messageIdFor(accepted.body, 'dresden-gewerbeamt')))!.body,
      'dresden-gewerbeamt',
    );
    expect([...trade.attachments.keys()]).toEqual(['antrag', 'handwerkskarte']);
    expect(trade.attachments.get('handwerkskarte')!.content).toEqual(Buffer.from(upload.content, 'base64'));
    // The upload named no purpose: it is the applicant's attachment.
    expect(purposesOf(trade)).toEqual([
      ['antrag', 'form'],
      ['handwerkskarte', 'attachment'],
    ]);
  });

  it('selects the same way in a multipart submission', async () => {
    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: `Bearer ${demoToken}` },
      body: multipartOf({ ...envelope, reference: 'PURPOSE-MULTIPART' }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(202);
    const statistics = await open(
      (await gw.store.getSealedMessage(messageIdFor(body, 'statistik-sachsen')))!.body,
      'statistik-sachsen',
    );
    expect(purposesOf(statistics)).toEqual([['antrag', 'form']]);
  });

  it('keeps the selection when a dead letter is sealed again from the escrow copy', async () => {
    const [tradeBody, statisticsBody] = await replayFromEscrow(
      gw.url,
      receiver,
      ['dresden-gewerbeamt', 'statistik-sachsen'],
      { ...envelope, reference: 'PURPOSE-REPLAY' },
    );
    const trade = await open(tradeBody!, 'dresden-gewerbeamt');
    expect(purposesOf(trade)).toEqual([
      ['antrag', 'form'],
      ['handwerkskarte', 'attachment'],
    ]);
    const statistics = await open(statisticsBody!, 'statistik-sachsen');
    expect([...statistics.attachments.keys()]).toEqual(['antrag']);
    expect(purposesOf(statistics)).toEqual([['antrag', 'form']]);
  }, 60_000);

  it('answers 400 with a pointer for a purpose outside the vocabulary, in JSON and in multipart', async () => {
    const wrong = { ...envelope, attachments: [form, { ...upload, purpose: 'scan' }] };
    const json = await postJson(gw.url, '/v1/submissions', wrong);
    expect(json.status).toBe(400);
    expect(json.type).toContain('application/problem+json');
    expect(json.body.type).toBe('https://amtsbote.dev/problems/invalid-envelope');
    expect(json.body.errors).toEqual([expect.objectContaining({ pointer: '/attachments/1/purpose' })]);
    expect(JSON.stringify(json.body.errors)).toMatch(/form.*attachment.*report/);

    const res = await fetch(gw.url + '/v1/submissions', {
      method: 'POST',
      headers: { authorization: `Bearer ${demoToken}` },
      body: multipartOf(wrong),
    });
    const multipart = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(multipart.errors).toEqual([expect.objectContaining({ pointer: '/attachments/1/purpose' })]);
  });

  it('answers 422 with a pointer for a purpose the service does not admit, and lists the admitted ones in GET /v1/services', async () => {
    const services = await getJson(gw.url, '/v1/services');
    const dogTax = (services.body.services as { key: string; attachments: { purposes?: string[] } }[]).find(
      (s) => s.key === hundesteuer.serviceKey,
    )!;
    expect(dogTax.attachments.purposes).toEqual(['form', 'attachment']);
    const gewerbe = (services.body.services as { key: string; attachments: { purposes?: string[] } }[]).find(
      (s) => s.key === envelope.serviceKey,
    )!;
    expect(gewerbe.attachments.purposes).toBeUndefined();

    const report = {
      id: 'quittung',
      filename: 'Quittung.pdf',
      mediaType: 'application/pdf',
      purpose: 'report',
      content: form.content,
    };
    const refused = await postJson(gw.url, '/v1/submissions', { ...hundesteuer, attachments: [report] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.type).toBe('https://amtsbote.dev/problems/invalid-attachment');
    expect(refused.body.errors).toEqual([
      {
        pointer: '/attachments/0/purpose',
        detail: 'this service accepts attachments with the purpose form, attachment only',
      },
    ]);

    const accepted = await postJson(gw.url, '/v1/submissions', {
      ...hundesteuer,
      attachments: [{ ...report, purpose: 'form' }],
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  });

  it('describes the purpose in the OpenAPI document, from the same zod schema that checks the envelope', async () => {
    const doc = (await (await fetch(gw.url + '/v1/openapi.json')).json()) as {
      components: {
        schemas: Record<string, { properties: Record<string, { enum?: string[]; description?: string }> }>;
      };
    };
    const purpose = doc.components.schemas.Attachment!.properties.purpose!;
    expect(purpose.enum).toEqual(['form', 'attachment', 'report']);
    expect(purpose.description).toMatch(/FIT-Connect/);
    // GET /v1/services lists the purposes a service admits.
    expect(JSON.stringify(doc.components.schemas.Service!.properties.attachments)).toContain('"purposes"');
  });
});
