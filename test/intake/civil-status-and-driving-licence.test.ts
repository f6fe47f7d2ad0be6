import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedMessage } from '../../src/receiver/index.js';
import { loadExamples, type Example } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../helpers/http.js';
import { projectRoot } from '../helpers/paths.js';

// Issue 25 item 3: ordering civil-status certificates and exchanging or replacing driving licences, as JSON
// services routed to each city's registry office and driving-licence authority. The injected clock makes the
// rules over dates (registers' retention, nothing in the future) exact.
const fixedNow = new Date('2026-11-25T09:30:00.000Z');
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ clock: () => fixedNow });
});
afterAll(async () => {
  await gw.stop();
});

const services = [
  { name: 'personenstandsurkunde', key: '99000000999001', message: 'personenstandsurkunde.bestellung' },
  { name: 'fuehrerschein', key: '99000000999002', message: 'fuehrerschein.antrag' },
] as const;
const cities = { dresden: '146120000000', leipzig: '147130000000', chemnitz: '145110000000' } as const;
const examples = loadExamples().filter((e) => services.some((s) => s.name === e.service));
const valid = examples.filter((e) => !e.invalid);
const invalid = examples.filter((e) => e.invalid);

let references = 0;
/** A fresh copy of an example's envelope with its own reference. */
function envelopeOf(file: string): Example['envelope'] {
  const envelope = structuredClone(examples.find((e) => e.file === file)!.envelope);
  envelope.reference = `T-${file}-${++references}`;
  return envelope;
}
/** Leaves a member out in `changed`. */
const absent = Symbol('absent');

/**
 * The envelope with changes at JSON pointers (`/data/certificate/kind`), each a value or `absent`: one readable
 * line per variation of an example.
 */
function changed(envelope: Example['envelope'], changes: Record<string, unknown>): Example['envelope'] {
  const copy = structuredClone(envelope);
  copy.reference = `T-${++references}`;
  for (const [pointer, value] of Object.entries(changes)) {
    const path = pointer.split('/').slice(1);
    const last = path.pop()!;
    let at = copy as Record<string, unknown>;
    for (const step of path) at = at[step] as Record<string, unknown>;
    if (value !== absent) at[last] = value;
    else if (Array.isArray(at)) at.splice(Number(last), 1);
    else Reflect.deleteProperty(at, last);
  }
  return copy;
}

/** Accepted, or the refusal's pointers with their details. */
async function answer(envelope: Example['envelope']): Promise<string | string[]> {
  const res = await postJson(gw.url, '/v1/submissions', envelope);
  if (res.status === 202) return 'accepted';
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  return (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
}

const cityKey = (destinationId: string) =>
  JSON.parse(
    readFileSync(
      join(
        projectRoot,
        `config/demo/${destinationId.split('-')[0]!}-buergerdienste.encryption.private-jwk.DEVELOPMENT-ONLY.json`,
      ),
      'utf8',
    ),
  ) as Record<string, unknown>;

describe('civil-status certificates and driving licences: configuration', () => {
  it('route each service for Dresden, Leipzig and Chemnitz to that city’s own office', async () => {
    for (const service of services) {
      for (const [city, ars] of Object.entries(cities)) {
        const res = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
          serviceKey: service.key,
          regionKey: ars,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.destinations).toEqual([
          expect.objectContaining({
            id: `${city}-${service.name}`,
            adapter: 'mailbox',
            standard: { name: 'json', version: '1', message: service.message },
          }),
        ]);
      }
    }
  });

  it('flag their LeiKa keys as placeholders: none could be confirmed from the material at hand', () => {
    for (const service of services) {
      const file = readFileSync(join(projectRoot, `config/services/${service.name}.yaml`), 'utf8');
      expect(file).toMatch(new RegExp(`^key: "${service.key}" +# LeiKa key — PLACEHOLDER`, 'm'));
      expect(file).toMatch(/^leikaSource: 'NOT CONFIRMED:/m);
    }
  });

  it('have a valid example from each city and invalid ones that name their pointer', () => {
    for (const service of services) {
      const cityOf = (e: Example) => Object.entries(cities).find(([, ars]) => ars === e.envelope.regionKey)?.[0];
      const ofService = (list: Example[]) => list.filter((e) => e.service === service.name);
      expect(new Set(ofService(valid).map(cityOf))).toEqual(new Set(Object.keys(cities)));
      expect(ofService(valid).every((e) => e.envelope.serviceKey === service.key)).toBe(true);
      expect(ofService(invalid).length).toBeGreaterThanOrEqual(3);
      for (const e of ofService(invalid)) expect(e.expectedPointer, e.file).toMatch(/^\/data\//);
    }
  });
});

describe('civil-status certificates and driving licences: through the real intake', () => {
  it.each(valid.map((e) => [`${e.service}/${e.file}`, e] as const))(
    'accepts %s and delivers the data and attachments sealed to the city’s office mailbox',
    async (_name, example) => {
      const envelope = envelopeOf(example.file);
      const accepted = await postJson(gw.url, '/v1/submissions', envelope);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      const [delivery, ...more] = accepted.body.destinations as { destinationId: string; messageId: string }[];
      expect(more).toEqual([]);
      const city = Object.entries(cities).find(([, ars]) => ars === envelope.regionKey)![0];
      expect(delivery!.destinationId).toBe(`${city}-${example.service}`);
      const jwks = (await (await fetch(gw.url + '/.well-known/jwks.json')).json()) as {
        keys: Record<string, unknown>[];
      };
      // Served by the gateway's own mailbox, with the city's demo token (README, demo credentials).
      const fetched = await fetch(`${gw.url}/v1/mailbox/${delivery!.destinationId}/messages/${delivery!.messageId}`, {
        headers: { authorization: `Bearer ${city}-buergerdienste-demo-token` },
      });
      expect(fetched.status).toBe(200);
      const opened = await openSealedMessage(await fetched.text(), {
        recipientKeys: [cityKey(delivery!.destinationId)],
        gatewayJwks: jwks,
        expectedDestinationId: delivery!.destinationId,
      });
      expect(opened.metadata.contentStructure.data.submissionSchema).toEqual({
        schemaUri: `https://amtsbote.dev/schemas/services/${example.service}/1.json`,
        mimeType: 'application/json',
      });
      expect(JSON.parse(opened.data.toString('utf8'))).toEqual(envelope.data);
      const sent = (envelope.attachments ?? []) as { id: string; content: string }[];
      expect([...opened.attachments.keys()].sort()).toEqual(sent.map((a) => a.id).sort());
      for (const a of sent) expect(opened.attachments.get(a.id)?.content).toEqual(Buffer.from(a.content, 'base64'));
    },
  );

  it.each(invalid.map((e) => [`${e.service}/${e.file}`, e] as const))(
    'refuses %s at exactly its pointer',
    async (_name, example) => {
      const res = await postJson(gw.url, '/v1/submissions', envelopeOf(example.file));
      expect(res.status).toBe(422);
      expect(res.body.type).toBe('https://amtsbote.dev/problems/invalid-data');
      expect([...new Set((res.body.errors as { pointer: string }[]).map((e) => e.pointer))]).toEqual([
        example.expectedPointer,
      ]);
    },
  );
});

describe('ordering a civil-status certificate (§§ 5, 62 PStG)', () => {
  it('is refused once the register has passed its retention period: births 110, marriages 80, deaths 30 years', async () => {
    const birth = envelopeOf('dresden-geburtsurkunde.json');
    const [person] = birth.data.persons as unknown[];
    const at = (kind: string, year: number, persons: number) =>
      answer(
        changed(birth, {
          '/data/certificate/kind': kind,
          '/data/registration/eventDate': `${year}-06-01`,
          '/data/persons': Array.from({ length: persons }, () => person),
          '/data/legitimateInterest/relationship': 'descendant',
        }),
      );
    expect(await at('birth', 1916, 1)).toBe('accepted');
    expect(await at('birth', 1915, 1)).toEqual(['/data/registration/eventDate']);
    expect(await at('marriage', 1946, 2)).toBe('accepted');
    expect(await at('marriage', 1945, 2)).toEqual(['/data/registration/eventDate']);
    expect(await at('death', 1996, 1)).toBe('accepted');
    expect(await at('death', 1995, 1)).toEqual(['/data/registration/eventDate']);
    expect(await answer(changed(birth, { '/data/registration/eventDate': '2026-11-26' }))).toEqual([
      '/data/registration/eventDate',
    ]);
  });

  it('names the persons of the entry: both spouses for a marriage, one person otherwise', async () => {
    const marriage = envelopeOf('leipzig-eheurkunde.json');
    expect(await answer(changed(marriage, { '/data/persons/1': absent }))).toEqual(['/data/persons']);
    const birth = envelopeOf('dresden-geburtsurkunde.json');
    const twins = { '/data/persons/1': { familyName: 'Krüger', givenNames: 'Paul' } };
    expect(await answer(changed(birth, twins))).toEqual(['/data/persons']);
  });

  it('is ordered only by those § 62 PStG entitles, each with what they must show', async () => {
    const death = envelopeOf('chemnitz-sterbeurkunde.json');
    const interest = (value: unknown) => answer(changed(death, { '/data/legitimateInterest': value }));
    expect(await interest({ relationship: 'self' })).toEqual(['/data/legitimateInterest/relationship']);
    expect(await interest({ relationship: 'legal-interest' })).toEqual(['/data/legitimateInterest/justification']);
    const landlady = 'Vermieterin: Kündigung des Mietvertrags der verstorbenen Person';
    expect(await interest({ relationship: 'legal-interest', justification: landlady })).toBe('accepted');

    // A representative's power of attorney must be among the attachments; a named evidence as well.
    const represented = envelopeOf('leipzig-sterbeurkunde-bevollmaechtigt.json');
    expect(
      await answer(changed(represented, { '/data/legitimateInterest/powerOfAttorney/attachmentId': 'andere' })),
    ).toEqual(['/data/legitimateInterest/powerOfAttorney']);
    expect(
      await answer(
        changed(represented, { '/attachments': absent, '/data/legitimateInterest/powerOfAttorney': absent }),
      ),
    ).toEqual(['/data/legitimateInterest/powerOfAttorney']);
    expect(await answer(changed(death, { '/attachments': absent }))).toEqual([
      '/data/legitimateInterest/evidence/attachmentId',
    ]);
  });

  it('is sent to an address or collected, and paid online only with a booked payment', async () => {
    const birth = envelopeOf('dresden-geburtsurkunde.json');
    const variant = (changes: Record<string, unknown>) => answer(changed(birth, changes));
    expect(await variant({ '/data/delivery/address': absent })).toEqual(['/data/delivery/address']);
    expect(await variant({ '/data/delivery/method': 'collection' })).toEqual(['/data/delivery/address']);
    expect(await variant({ '/data/payment/method': 'on-collection' })).toEqual(['/data/payment/method']);
    expect(await variant({ '/data/payment/method': 'invoice' })).toBe('accepted');
    expect(await variant({ '/payment': absent })).toEqual(['/data/payment/method']);
    expect(await variant({ '/payment/status': 'booked' })).toBe('accepted');
    expect(await variant({ '/payment/status': 'initial' })).toEqual(['/data/payment/method']);
  });

  it('checks names of persons as DIN 91379 datatype A and the registry office as datatype B', async () => {
    const birth = envelopeOf('dresden-geburtsurkunde.json');
    const variant = (changes: Record<string, unknown>) => answer(changed(birth, changes));
    const accented = {
      '/data/persons/0/familyName': 'Łukasiewicz-Ørsted',
      '/data/persons/0/givenNames': 'Zoë Ångström',
    };
    expect(await variant(accented)).toBe('accepted');
    expect(await variant({ '/data/persons/0/familyName': 'Krüger 2' })).toEqual(['/data/persons/0/familyName']);
    expect(await variant({ '/data/applicant/givenNames': 'Anna\tLena' })).toEqual(['/data/applicant/givenNames']);
    const branch = { '/data/registration/registryOffice': 'Standesamt Dresden, Außenstelle 2' };
    expect(await variant(branch)).toBe('accepted');
  });
});

describe('exchanging or replacing a driving licence', () => {
  it('carries the biometric photo as an attached JPEG the data name', async () => {
    const exchange = envelopeOf('dresden-umtausch-ddr-fuehrerschein.json');
    expect(await answer(changed(exchange, { '/data/photo/attachmentId': 'passbild' }))).toEqual([
      '/data/photo/attachmentId',
    ]);
    expect(await answer(changed(exchange, { '/attachments': absent }))).toEqual(['/data/photo/attachmentId']);
  });

  it('holds exactly the part of its kind', async () => {
    const exchange = envelopeOf('chemnitz-umtausch-kartenfuehrerschein.json');
    expect(await answer(changed(exchange, { '/data/kind': 'replacement' }))).toEqual([
      '/data/exchange',
      '/data/replacement',
    ]);
    const replacement = envelopeOf('leipzig-ersatz-verloren.json');
    expect(await answer(changed(replacement, { '/data/exchange': exchange.data.exchange }))).toEqual([
      '/data/exchange',
    ]);
  });

  it('exchanges licences issued before 19 January 2013, paper ones up to 1998 and cards from 1999, with their classes', async () => {
    const card = envelopeOf('chemnitz-umtausch-kartenfuehrerschein.json');
    const issued = (type: string, date: string, classes?: string[]) =>
      answer(
        changed(card, {
          '/data/exchange/licence/type': type,
          '/data/exchange/licence/issueDate': date,
          ...(classes ? { '/data/exchange/licence/classes': classes } : {}),
        }),
      );
    expect(await issued('card', '2013-01-18')).toBe('accepted');
    expect(await issued('card', '2013-01-19')).toEqual(['/data/exchange/licence/issueDate']);
    expect(await issued('card', '1998-12-31')).toEqual(['/data/exchange/licence/issueDate']);
    expect(await issued('card', '1999-01-01')).toBe('accepted');
    expect(await issued('paper-frg', '1999-01-01', ['3'])).toEqual(['/data/exchange/licence/issueDate']);
    expect(await issued('paper-frg', '1998-12-31', ['1', '3'])).toBe('accepted');
    expect(await issued('paper-frg', '1998-12-31', ['B'])).toEqual(['/data/exchange/licence/classes']);
    expect(await issued('card', '2005-03-01', ['3'])).toEqual(['/data/exchange/licence/classes']);
    expect(await issued('card', '2005-03-01', ['AM'])).toEqual(['/data/exchange/licence/classes']);
    expect(await issued('paper-gdr', '1975-03-01', ['B', 'M', 'T'])).toBe('accepted');
    expect(await issued('card', '2005-03-01', ['Z'])).toEqual(['/data/exchange/licence/classes/0']);
  });

  it('replaces a stolen licence only with the police report, and nothing that happens in the future', async () => {
    const stolen = envelopeOf('chemnitz-ersatz-gestohlen.json');
    const variant = (changes: Record<string, unknown>) => answer(changed(stolen, changes));
    expect(await variant({ '/data/replacement/policeReport/document/attachmentId': 'fehlt' })).toEqual([
      '/data/replacement/policeReport/document/attachmentId',
    ]);
    expect(await variant({ '/data/replacement/policeReport': absent })).toEqual(['/data/replacement/policeReport']);
    const damaged = { '/data/replacement/policeReport': absent, '/data/replacement/reason': 'damaged' };
    expect(await variant(damaged)).toBe('accepted');
    expect(await variant({ '/data/replacement/occurredOn': '2026-11-26' })).toEqual(['/data/replacement/occurredOn']);
  });
});
