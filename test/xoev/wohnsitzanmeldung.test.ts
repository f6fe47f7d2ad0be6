import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { XmlDocument } from 'libxml2-wasm';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import { addDin91379Keyword, loadXoev, normalizeNfc, produceMessage } from '../../src/xoev/index.js';
import { dirs, examples, projectRoot } from './helpers.js';
import {
  hasOfficialXmeld,
  lintOfficial,
  officialXmeldCatalog,
  officialXmeldDir,
  officialXmeldRoot,
  lintProfile,
  meldebehoerden,
  officialSkipReason,
  portalAuthor,
  withSkipReason,
  xmeldContextFor,
  xmeldNamespace,
  xmeldTarget,
  type XmeldEnvelope,
} from './xmeld-helpers.js';

const xoev = loadXoev(dirs);
afterAll(() => {
  xoev.close();
});

const service = 'wohnsitzanmeldung';
const serviceFile = parseYaml(readFileSync(join(projectRoot, 'config', 'services', `${service}.yaml`), 'utf8')) as {
  key: string;
  leikaSource: string;
  dataSchema: string;
  attachments: { maxCount: number; mediaTypes: string[] };
  standard: { name: string; versions: string[]; author: string };
};

const ajv = addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true, strictRequired: false }));
addFormats.default(ajv);
const validate: ValidateFunction = ajv.compile(
  JSON.parse(readFileSync(join(projectRoot, 'config', 'services', serviceFile.dataSchema), 'utf8')) as object,
);

const all: { name: string; envelope: XmeldEnvelope; valid: boolean }[] = examples(service);
const valid = all.filter((e) => e.valid);
const invalid = all.filter((e) => !e.valid);
const expectations = JSON.parse(
  readFileSync(join(projectRoot, 'examples', service, 'expectations.json'), 'utf8'),
) as Record<string, string>;

function schemaPointers(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => {
    const params = e.params as { missingProperty?: string };
    return (
      '/data' +
      e.instancePath +
      (e.keyword === 'required' && params.missingProperty !== undefined ? `/${params.missingProperty}` : '')
    );
  });
}

/** Runs an XPath (with the xmeld prefix bound) and returns the trimmed text of each node. */
function texts(xml: string, xpath: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.find(xpath, { xmeld: xmeldNamespace }).map((n) => n.content.trim());
  } finally {
    doc.dispose();
  }
}

interface Person {
  registeredData: { name: { familyName: string; givenNames?: string } };
}
interface Data {
  applicant: Person & { identification: { familyName: string } };
  partner?: Person;
  children?: Person[];
  previousResidence: { disposition: string };
  landlordConfirmation?: { attachmentId: string };
}

describe('the Wohnsitzanmeldung service', () => {
  it('is configured with its LeiKa key, XMeld 26.11 and the portal as author, and a mapping serves it', () => {
    expect(serviceFile.key).toBe('99115005104000');
    expect(serviceFile.leikaSource).toMatch(/99115005104000/);
    expect(serviceFile.standard).toEqual({ name: 'xmeld', versions: ['26.11'], author: 'portal' });
    expect(serviceFile.attachments.mediaTypes).toEqual(['application/pdf']);
    const mapping = xoev.mappings.mappings.find(
      (m) => m.standard === 'xmeld' && m.version === '26.11' && m.services.includes(serviceFile.key),
    );
    expect(mapping?.name).toBe(service);
    expect(mapping?.messages).toEqual([xmeldTarget.message]);
  });

  it('has the three cases for each demo municipality, and invalid examples with expectations', () => {
    for (const city of ['dresden', 'leipzig', 'chemnitz']) {
      for (const kind of ['einzelperson', 'familie', 'nebenwohnung-beibehalten']) {
        expect(
          valid.map((e) => e.name),
          `${city}-${kind}`,
        ).toContain(`${city}-${kind}.json`);
      }
    }
    expect(invalid.length).toBeGreaterThanOrEqual(3);
    for (const e of invalid) expect(expectations[e.name], e.name).toBeDefined();
  });
});

describe.each(valid.map((e) => [e.name, e] as const))('example %s', (name, example) => {
  const data = normalizeNfc(example.envelope.data) as Data;
  const context = xmeldContextFor(example.envelope, data);

  it('is addressed to the service and passes its schema with the DIN 91379 keyword', () => {
    expect(example.envelope.serviceKey).toBe(serviceFile.key);
    expect(Object.keys(meldebehoerden)).toContain(example.envelope.regionKey);
    expect(schemaPointers(data)).toEqual([]);
  });

  it('maps to a 1704 that the profile accepts, with header, persons and documents in place', async () => {
    const out = await produceMessage(xoev, xmeldTarget, context);
    expect(out.schemaSet).toBe('amtsbote-profile:xmeld/26.11');
    expect(out.content).toContain(`<xmeld:onlinedienste.anmeldung.meldeschein.1704 xmlns:xmeld="${xmeldNamespace}"`);

    const root = '/xmeld:onlinedienste.anmeldung.meldeschein.1704';
    const head = `${root}/nachrichtenkopf.g2g`;
    expect(texts(out.content, `${head}/identifikation.nachricht/nachrichtenUUID`)).toEqual([context.message.id]);
    expect(texts(out.content, `${head}/identifikation.nachricht/nachrichtentyp/code`)).toEqual(['1704']);
    expect(texts(out.content, `${head}/identifikation.nachricht/erstellungszeitpunkt`)).toEqual([
      '2026-12-01T08:41:07.250Z',
    ]);
    const reader = meldebehoerden[example.envelope.regionKey];
    expect(texts(out.content, `${head}/leser/verzeichnisdienst/code`)).toEqual(['DVDV']);
    expect(texts(out.content, `${head}/leser/kennung`)).toEqual([`ags:${reader?.kennung ?? ''}`]);
    expect(texts(out.content, `${head}/autor/kennung`)).toEqual(['mbp:14000000']);
    expect(texts(out.content, `${head}/autor/erreichbarkeit/kennung`)).toEqual(
      portalAuthor.erreichbarkeit?.map((e) => e.kennung),
    );
    expect(texts(out.content, `${root}/anschrift.autor/gebaeude/strasse`)).toEqual(['Archivstraße']);

    // identifikation is the registering person as identified for 1702
    expect(texts(out.content, `${root}/xmeld:identifikation/xmeld:familienname.unstrukturiert/name`)).toEqual([
      data.applicant.identification.familyName,
    ]);

    // every person moving in, with the family name the register holds
    const persons = [data.applicant, ...(data.partner ? [data.partner] : []), ...(data.children ?? [])];
    const moving = [
      `${root}/xmeld:berechtigtePerson`,
      `${root}/xmeld:weitereMitzuziehendePerson/xmeld:partner/xmeld:personendaten`,
      `${root}/xmeld:weitereMitzuziehendePerson/xmeld:kind`,
    ]
      .map(
        (p) =>
          `${p}/xmeld:bestaetigteMeldedaten/xmeld:personendaten/xmeld:name/xmeld:familienname.unstrukturiert/xmeld:nachname/name`,
      )
      .join(' | ');
    expect(texts(out.content, moving)).toEqual(persons.map((p) => p.registeredData.name.familyName));

    // the new residence lies in the region, the previous one is given up or kept
    const ergaenzend = `${root}/xmeld:ergaenzendeMeldedaten`;
    expect(texts(out.content, `${ergaenzend}/xmeld:neueWohnung/xmeld:anschrift/gemeindeschluessel/code`)).toEqual([
      context.region.ags,
    ]);
    expect(texts(out.content, `${ergaenzend}/xmeld:bisherigeWohnung/xmeld:aufgebenOderBeibehalten/code`)).toEqual([
      data.previousResidence.disposition,
    ]);

    // the Wohnungsgeberbestätigung travels inside the message, byte for byte
    const embedded = texts(out.content, `${ergaenzend}/xmeld:wohnungsgeberbestaetigung`);
    if (data.landlordConfirmation === undefined) {
      expect(embedded).toEqual([]);
    } else {
      const attachment = example.envelope.attachments?.find((a) => a.id === data.landlordConfirmation?.attachmentId);
      expect(embedded).toEqual([attachment?.content]);
      expect(
        Buffer.from(embedded[0] ?? '', 'base64')
          .subarray(0, 5)
          .toString('latin1'),
      ).toBe('%PDF-');
    }
  });

  it.skipIf(officialSkipReason !== undefined)(
    withSkipReason(
      'maps to a 1704 that xmllint validates against the official XMeld 26.11 schema set and the profile',
      officialSkipReason,
    ),
    async () => {
      const out = await produceMessage(xoev, xmeldTarget, context);
      const official = lintOfficial(out.content, name.replace(/\.json$/, '.xml'));
      expect(official.valid, official.output).toBe(true);
      const profile = lintProfile(out.content, name.replace(/\.json$/, '.xml'));
      expect(profile.valid, profile.output).toBe(true);
    },
  );
});

describe('the cases', () => {
  const byName = (n: string) => {
    const e = valid.find((v) => v.name === n);
    if (e === undefined) throw new Error(`example ${n} missing`);
    return e;
  };

  it.each(['dresden-familie.json', 'leipzig-familie.json', 'chemnitz-familie.json'])(
    '%s carries all four persons',
    async (n) => {
      const example = byName(n);
      const data = normalizeNfc(example.envelope.data) as Data;
      const out = await produceMessage(xoev, xmeldTarget, xmeldContextFor(example.envelope, data));
      const root = '/xmeld:onlinedienste.anmeldung.meldeschein.1704';
      expect(texts(out.content, `${root}/xmeld:berechtigtePerson`)).toHaveLength(1);
      expect(texts(out.content, `${root}/xmeld:weitereMitzuziehendePerson/xmeld:partner`)).toHaveLength(1);
      expect(texts(out.content, `${root}/xmeld:weitereMitzuziehendePerson/xmeld:kind`)).toHaveLength(2);
      const givenNames = texts(
        out.content,
        '//xmeld:bestaetigteMeldedaten/xmeld:personendaten/xmeld:name/xmeld:vornamen/xmeld:vornamen/name',
      );
      const expected = [data.applicant, data.partner, ...(data.children ?? [])].map(
        (p) => p?.registeredData.name.givenNames,
      );
      expect(givenNames).toEqual(expected);
      expect(new Set(givenNames).size).toBe(4);
    },
  );

  it.each([
    'dresden-nebenwohnung-beibehalten.json',
    'leipzig-nebenwohnung-beibehalten.json',
    'chemnitz-nebenwohnung-beibehalten.json',
  ])('%s keeps the previous residence and makes the new one the main residence', async (n) => {
    const example = byName(n);
    const out = await produceMessage(
      xoev,
      xmeldTarget,
      xmeldContextFor(example.envelope, normalizeNfc(example.envelope.data)),
    );
    expect(texts(out.content, '//xmeld:bisherigeWohnung/xmeld:aufgebenOderBeibehalten/code')).toEqual(['2']);
    expect(texts(out.content, '//xmeld:bisherigeWohnung/xmeld:datumDesAuszugs')).toEqual([]);
    expect(texts(out.content, '/*/xmeld:berechtigtePerson/xmeld:statusDerNeuenWohnung/code')).toEqual(['1']);
  });

  it('writes a child assigned to the partner only, and the eID address line where the portal has it', async () => {
    const chemnitz = await produceMessage(
      xoev,
      xmeldTarget,
      xmeldContextFor(
        byName('chemnitz-familie.json').envelope,
        normalizeNfc(byName('chemnitz-familie.json').envelope.data),
      ),
    );
    expect(texts(chemnitz.content, '//xmeld:weitereMitzuziehendePerson/xmeld:kind/xmeld:nurPartnerZugeordnet')).toEqual(
      ['true'],
    );
    const dresden = await produceMessage(
      xoev,
      xmeldTarget,
      xmeldContextFor(
        byName('dresden-einzelperson.json').envelope,
        normalizeNfc(byName('dresden-einzelperson.json').envelope.data),
      ),
    );
    expect(
      texts(dresden.content, '//xmeld:identifikation/xmeld:anschrift/xmeld:strasseUndHausnummer/xmeld:konkateniert'),
    ).toEqual(['Berliner Str. 41']);
  });
});

describe('invalid examples', () => {
  it.each(invalid.map((e) => [e.name, e] as const))(
    '%s is refused at the pointer its expectation names',
    async (name, example) => {
      const data = normalizeNfc(example.envelope.data);
      let pointers = schemaPointers(data);
      if (pointers.length === 0) {
        // Passes the service schema: intake's region check refuses it first; the mapping refuses it too.
        const error = (await produceMessage(xoev, xmeldTarget, xmeldContextFor(example.envelope, data)).catch(
          (e: unknown) => e,
        )) as AmtsboteError;
        expect(error).toBeInstanceOf(AmtsboteError);
        expect(error.code).toBe('invalid-data');
        pointers = error.errors.map((e) => e.pointer);
      }
      expect(pointers).toContain(expectations[name]);
    },
  );

  it('a Gemeindeschlüssel outside the region is refused by the mapping with the field, not an XSD error', async () => {
    const example = invalid.find((e) => e.name === 'leipzig-invalid-ags-outside-region.json');
    if (example === undefined) throw new Error('example missing');
    const error = (await produceMessage(xoev, xmeldTarget, xmeldContextFor(example.envelope)).catch(
      (e: unknown) => e,
    )) as AmtsboteError;
    expect(error.errors).toEqual([
      { pointer: '/data/newResidence/address/ags', detail: 'lies outside the region of the submission (regionKey)' },
    ]);
  });
});

describe('the Wohnungsgeberbestätigung attachment', () => {
  const example = valid.find((e) => e.name === 'leipzig-einzelperson.json');
  if (example === undefined) throw new Error('example missing');
  const data = normalizeNfc(example.envelope.data);

  it('refuses an id that names no attachment, at the id', async () => {
    const context = { ...xmeldContextFor(example.envelope, data), attachments: new Map() };
    const error = (await produceMessage(xoev, xmeldTarget, context).catch((e: unknown) => e)) as AmtsboteError;
    expect(error.code).toBe('invalid-data');
    expect(error.errors).toEqual([
      {
        pointer: '/data/landlordConfirmation/attachmentId',
        detail: expect.stringMatching(/names no attachment/) as unknown,
      },
    ]);
  });

  it('refuses an attachment of another media type than PDF', async () => {
    const context = xmeldContextFor(example.envelope, data);
    const attachments = new Map(
      [...(context.attachments ?? new Map())].map(([id, a]) => [id, { ...a, mediaType: 'image/png' }]),
    );
    const error = (await produceMessage(xoev, xmeldTarget, { ...context, attachments }).catch(
      (e: unknown) => e,
    )) as AmtsboteError;
    expect(error.errors[0]).toMatchObject({
      pointer: '/data/landlordConfirmation/attachmentId',
      detail: expect.stringMatching(/application\/pdf/) as unknown,
    });
  });
});

describe('the header', () => {
  const example = valid[0];
  if (example === undefined) throw new Error('no example');

  it('writes the creation time with milliseconds and its zone, also when the clock gives none', async () => {
    const out = await produceMessage(
      xoev,
      xmeldTarget,
      xmeldContextFor(example.envelope, normalizeNfc(example.envelope.data), '2026-12-01T09:41:07+01:00'),
    );
    expect(texts(out.content, '//erstellungszeitpunkt')).toEqual(['2026-12-01T09:41:07.000+01:00']);
  });

  it('is a configuration error, not the portal’s, when the author lacks an address or a way to reach it', async () => {
    const context = xmeldContextFor(example.envelope, normalizeNfc(example.envelope.data));
    const { anschrift: _anschrift, erreichbarkeit: _erreichbarkeit, ...bare } = portalAuthor;
    const error = (await produceMessage(xoev, xmeldTarget, { ...context, author: bare }).catch(
      (e: unknown) => e,
    )) as AmtsboteError;
    expect(error.code).toBe('invalid-config');
    expect(error.message).toMatch(/anschrift\.autor/);
    expect(error.message).toMatch(/erreichbarkeit/);
  });

  it('marks test submissions', async () => {
    const out = await produceMessage(
      xoev,
      xmeldTarget,
      xmeldContextFor({ ...example.envelope, test: true }, normalizeNfc(example.envelope.data)),
    );
    expect(out.content).toMatch(/<xmeld:onlinedienste\.anmeldung\.meldeschein\.1704 [^>]*test="1"/);
  });
});

describe('code lists for XMeld', () => {
  it('are Amtsbote files with the versions XMeld 26.11 fixes', () => {
    const versions = Object.fromEntries(
      [
        'urn:de:dsmeld:schluesseltabelle:wohnungsstatus',
        'urn:de:dsmeld:schluesseltabelle:familienstand',
        'urn:de:dsmeld:schluesseltabelle:auskunftssperre',
        'urn:de:dsmeld:schluesseltabelle:pass.und.ausweisdokumente',
        'urn:de:xmeld:schluesseltabelle:ehegatte.oder.lebenspartner',
        'urn:xoev-de:xmeld:codeliste:onlinedienste.aufgeben-oder-beibehalten-wohnung',
        'urn:xoev-de:xinneres:codeliste:geschlecht',
      ].map((uri) => [uri.slice(uri.lastIndexOf(':') + 1), [...(xoev.codeLists.byUri.get(uri)?.keys() ?? [])]]),
    );
    expect(versions).toEqual({
      wohnungsstatus: ['2'],
      familienstand: ['2'],
      auskunftssperre: ['8'],
      'pass.und.ausweisdokumente': ['5'],
      'ehegatte.oder.lebenspartner': ['2'],
      'onlinedienste.aufgeben-oder-beibehalten-wohnung': ['1'],
      geschlecht: ['1'],
    });
  });

  it('agree with the enumerations of the profile schema', () => {
    const xsd = readFileSync(join(projectRoot, 'xsd', 'xmeld', '26.11', 'xmeld.xsd'), 'utf8');
    const enumeration = (type: string): string[] => {
      const start = xsd.indexOf(`<xs:complexType name="${type}">`);
      const block = xsd.slice(start, xsd.indexOf('</xs:complexType>', start));
      return [...block.matchAll(/<xs:enumeration value="([^"]*)"/g)].map((m) => m[1] ?? '').sort();
    };
    const codes = (uri: string, version: string): string[] =>
      [...(xoev.codeLists.byUri.get(uri)?.get(version)?.codes.keys() ?? [])].sort();
    expect(codes('urn:de:dsmeld:schluesseltabelle:wohnungsstatus', '2')).toEqual(enumeration('Code.Wohnungsstatus'));
    expect(codes('urn:de:dsmeld:schluesseltabelle:familienstand', '2')).toEqual(enumeration('Code.Familienstand'));
    expect(codes('urn:de:dsmeld:schluesseltabelle:auskunftssperre', '8')).toEqual(enumeration('Code.Auskunftssperre'));
    expect(codes('urn:de:dsmeld:schluesseltabelle:pass.und.ausweisdokumente', '5')).toEqual(
      enumeration('Code.Pass.und.Ausweisdokumente'),
    );
    expect(codes('urn:de:xmeld:schluesseltabelle:ehegatte.oder.lebenspartner', '2')).toEqual(
      enumeration('Code.Ehegatte.oder.Lebenspartner'),
    );
    expect(codes('urn:xoev-de:xmeld:codeliste:onlinedienste.aufgeben-oder-beibehalten-wohnung', '1')).toEqual(
      enumeration('Code.Onlinedienste.AufgebenOderBeibehaltenWohnung'),
    );
  });

  it('the examples directory exists beside the service', () => {
    expect(existsSync(join(projectRoot, 'examples', service, 'expectations.json'))).toBe(true);
  });
});

describe('with the official XMeld 26.11 set installed (amtsbote schemas add)', () => {
  it.skipIf(!hasOfficialXmeld)(
    withSkipReason(
      'every valid example is validated in-process against it and records it as the schema set',
      hasOfficialXmeld ? undefined : `not found at ${officialXmeldDir}`,
    ),
    async () => {
      const officialSchemasDir = mkdtempSync(join(tmpdir(), 'amtsbote-official-xmeld-'));
      const setDir = join(officialSchemasDir, 'xmeld', '26.11', '2026-11-25-xrepository');
      mkdirSync(setDir, { recursive: true });
      writeFileSync(
        join(setDir, 'schema-set.json'),
        JSON.stringify({ root: relative(setDir, officialXmeldRoot), catalog: relative(setDir, officialXmeldCatalog) }),
      );
      const withOfficial = loadXoev({ ...dirs, officialSchemasDir });
      try {
        for (const example of valid) {
          const out = await produceMessage(
            withOfficial,
            xmeldTarget,
            xmeldContextFor(example.envelope, normalizeNfc(example.envelope.data)),
          );
          expect(out.schemaSet, example.name).toBe('official:2026-11-25-xrepository');
        }
      } finally {
        withOfficial.close();
      }
    },
  );
});
