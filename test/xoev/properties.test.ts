/**
 * Property tests over the DIN 91379 character list: names and addresses drawn from it are accepted and
 * arrive in the XML exactly (NFC); characters outside it are refused with the pointer of the field; XML
 * metacharacters in free text yield valid, correctly escaped XML and are refused in names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { XmlDocument } from 'libxml2-wasm';
import { afterAll, describe, it, expect } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import { addDin91379Keyword, checkText, loadXoev, normalizeNfc, produceMessage } from '../../src/xoev/index.js';
import {
  contextFor,
  dirs,
  examples,
  hasReference,
  needsReference,
  projectRoot,
  referenceDir,
  target,
} from './helpers.js';

const numRuns = 200;
const xoev = loadXoev(dirs);
afterAll(() => {
  xoev.close();
});

const ajv = addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true, strictRequired: false }));
addFormats.default(ajv);
const schemaOf = (service: string) =>
  JSON.parse(readFileSync(join(projectRoot, 'config', 'services', `${service}.schema.json`), 'utf8')) as object;
const validateAnmeldung = ajv.compile(schemaOf('gewerbeanmeldung'));
const validateUmmeldung = ajv.compile(schemaOf('gewerbeummeldung'));

const anmeldung = examples('gewerbeanmeldung').find((e) => e.name === 'leipzig-gmbh.json');
const ummeldung = examples('gewerbeummeldung').find((e) => e.name === 'chemnitz-verlegung-und-erweiterung.json');
if (anmeldung === undefined || ummeldung === undefined)
  throw new Error('the examples these tests build on are missing');

interface Person {
  familyName: string;
  givenNames: string;
  birthPlace: string;
  address: { street: string; city: string };
}
interface Data {
  business: { name: string; address: { street: string; city: string } };
  persons: Person[];
  activity: { description: string; further?: { description: string }[] };
  changes?: { newActivities?: { description: string }[] };
}

interface Entry {
  group: string;
  string: string;
  normative: boolean;
}
const entries: Entry[] = hasReference
  ? (
      JSON.parse(readFileSync(join(referenceDir, 'din91379', 'din91379_2022-08_list_1.3.json'), 'utf8')) as {
        entries: Entry[];
      }
    ).entries
  : [];
const pick = (groups: string[]) => entries.filter((e) => groups.includes(e.group)).map((e) => e.string);
const letters = pick(['bll']); // single letters and letter sequences
const typeA = pick(['bll', 'bnlreq']);
const typeB = pick(['bll', 'bnlreq', 'bnl']);
const outside = pick(['gl', 'cl', 'enl']); // extended groups: in no datatype A–C

/** A name of 1–24 list entries that starts with a letter (so it is never blank). */
const textOf = (alphabet: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...(letters.length > 0 ? letters : ['a'])),
      fc.array(fc.constantFrom(...(alphabet.length > 0 ? alphabet : ['a'])), { maxLength: 23 }),
    )
    .map(([first, rest]) => first + rest.join(''));

function contents(xml: string, local: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.find(`//*[local-name()='${local}']`).map((n) => n.content);
  } finally {
    doc.dispose();
  }
}

function withPerson(base: unknown, person: Partial<Person>, business?: Partial<Data['business']>): Data {
  const data = structuredClone(base) as Data;
  const first = data.persons[0];
  if (first === undefined) throw new Error('example without persons');
  Object.assign(first, person);
  if (business !== undefined) Object.assign(data.business, business);
  return data;
}

async function produce(data: unknown, message = 'alg.gewerbemeldung.0300', envelope = anmeldung?.envelope) {
  if (envelope === undefined) throw new Error('no example');
  return produceMessage(xoev, target(message), contextFor(envelope, target(message), data));
}

describe('names and addresses from the DIN 91379 list', () => {
  it.skipIf(!hasReference)(
    needsReference('are accepted and arrive in the XML exactly, also when submitted decomposed (NFD)'),
    async () => {
      await fc.assert(
        fc.asyncProperty(
          textOf(typeA),
          textOf(typeA),
          textOf(typeB),
          textOf(typeB),
          textOf(typeB),
          fc.boolean(),
          async (family, given, place, street, firm, nfd) => {
            const base = anmeldung.envelope.data as Data;
            const raw = withPerson(
              base,
              {
                familyName: family,
                givenNames: given,
                birthPlace: place,
                address: { ...(base.persons[0]?.address ?? { street, city: place }), street, city: place },
              },
              { name: firm },
            );
            // a portal may send decomposed text; intake normalises before it checks
            const submitted = nfd ? (JSON.parse(JSON.stringify(raw).normalize('NFD')) as Data) : raw;
            const data = normalizeNfc(submitted);
            expect(validateAnmeldung(data), JSON.stringify(validateAnmeldung.errors)).toBe(true);
            for (const message of ['alg.gewerbemeldung.0300', 'sta.gewerbemeldung.0100']) {
              const out = await produce(data, message);
              expect(contents(out.content, 'familienname')[0]).toBe(family.normalize('NFC'));
              expect(contents(out.content, 'vorname')[0]).toBe(given.normalize('NFC'));
              expect(contents(out.content, 'eingetragenerName')[0]).toBe(firm.normalize('NFC'));
              if (message.startsWith('alg')) {
                expect(contents(out.content, 'geburtsort')[0]).toBe(place.normalize('NFC'));
                expect(contents(out.content, 'strasse')).toContain(street.normalize('NFC'));
              }
            }
          },
        ),
        { numRuns },
      );
    },
  );
});

describe('characters outside DIN 91379', () => {
  const position = fc.nat();
  const insert = (text: string, at: number, char: string) => {
    const points = Array.from(text); // code points, so a surrogate pair is never split
    points.splice(at % (points.length + 1), 0, char);
    return points.join('');
  };

  it.skipIf(!hasReference)(
    needsReference('are refused in names (A) and addresses (B) at the pointer of the field'),
    () => {
      fc.assert(
        fc.property(
          textOf(typeA),
          textOf(typeB),
          position,
          fc.constantFrom(...outside),
          fc.constantFrom('familyName', 'givenNames', 'street'),
          (name, street, at, bad, field) => {
            const address = (anmeldung.envelope.data as Data).persons[0]?.address;
            const person =
              field === 'street'
                ? { address: { ...address, street: insert(street, at, bad) } }
                : { [field]: insert(name, at, bad) };
            const data = normalizeNfc(withPerson(anmeldung.envelope.data, person as Partial<Person>));
            expect(validateAnmeldung(data)).toBe(false);
            const pointer = field === 'street' ? '/persons/0/address/street' : `/persons/0/${field}`;
            expect(
              validateAnmeldung.errors?.filter((e) => e.keyword === 'x-din91379').map((e) => e.instancePath),
            ).toEqual([pointer]);
          },
        ),
        { numRuns },
      );
    },
  );

  it('are refused by the arbitrary code point too, wherever they are not in the list', () => {
    const notInC = fc
      .integer({ min: 0, max: 0x10ffff })
      .map((cp) => String.fromCodePoint(cp))
      .filter((c) => checkText(c, 'C') !== null);
    fc.assert(
      fc.property(notInC, position, (bad, at) => {
        const data = normalizeNfc(withPerson(anmeldung.envelope.data, { familyName: insert('Muster', at, bad) }));
        // NFC may compose the inserted mark with its neighbour into a listed letter: then it is fine.
        const value = data.persons[0]?.familyName ?? '';
        expect(validateAnmeldung(data)).toBe(checkText(value, 'A') === null);
        if (checkText(value, 'A') !== null) {
          expect(
            validateAnmeldung.errors?.some(
              (e) => e.keyword === 'x-din91379' && e.instancePath === '/persons/0/familyName',
            ),
          ).toBe(true);
        }
      }),
      { numRuns },
    );
  });

  it.skipIf(!hasReference)(
    needsReference('that slip past intake are refused by the profile schema, with the pointer of the field'),
    async () => {
      await fc.assert(
        fc.asyncProperty(textOf(typeA), position, fc.constantFrom(...pick(['gl', 'cl'])), async (name, at, bad) => {
          const data = withPerson(anmeldung.envelope.data, { familyName: insert(name, at, bad) });
          const error = await produce(data).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(AmtsboteError);
          expect((error as AmtsboteError).code).toBe('invalid-message');
          expect((error as AmtsboteError).errors.map((e) => e.pointer)).toContain('/data/persons/0/familyName');
        }),
        { numRuns: 50 },
      );
    },
  );
});

describe('XML metacharacters', () => {
  const free = fc
    .array(fc.constantFrom('<', '>', '&', ']]>', '"', "'", '&amp;', '<!--', ' ', 'a', 'ß', '\t', '\n', '\r\n', 'x'), {
      minLength: 1,
      maxLength: 30,
    })
    .map((parts) => 'T' + parts.join(''));

  it('in free-text fields (datatype C) give valid, correctly escaped XML with the text intact', async () => {
    await fc.assert(
      fc.asyncProperty(free, free, free, async (main, further, added) => {
        const an = structuredClone(anmeldung.envelope.data) as Data;
        an.activity.description = main;
        an.activity.further = [{ description: further }];
        expect(validateAnmeldung(an), JSON.stringify(validateAnmeldung.errors)).toBe(true);
        const out = await produce(an);
        expect(contents(out.content, 'taetigkeitSchwerpunkt')).toEqual([main]);
        expect(contents(out.content, 'taetigkeitEinzeln')).toEqual([further]);
        expect(out.content).not.toMatch(/<(?!\/?[\w.:]+[\s>/]|\?xml)/); // no raw "<" outside markup

        const um = structuredClone(ummeldung.envelope.data) as Data;
        um.changes = { ...um.changes, newActivities: [{ description: added }] };
        expect(validateUmmeldung(um), JSON.stringify(validateUmmeldung.errors)).toBe(true);
        const out2 = await produce(um, 'abh.gewerbemeldung.0500', ummeldung.envelope);
        expect(contents(out2.content, 'taetigkeitEinzeln')).toContain(added);
      }),
      { numRuns },
    );
  });

  it('are refused in names (datatype A), with the pointer of the field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('<', '>', '&', ']]>', '"'),
        fc.constantFrom('familyName', 'givenNames', 'birthName'),
        (meta, field) => {
          const data = withPerson(anmeldung.envelope.data, { [field]: `Mus${meta}ter` });
          expect(validateAnmeldung(data)).toBe(false);
          expect(validateAnmeldung.errors?.map((e) => [e.instancePath, e.keyword])).toContainEqual([
            `/persons/0/${field}`,
            'x-din91379',
          ]);
        },
      ),
    );
  });
});
