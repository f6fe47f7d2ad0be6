import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFimSchema, fileStemOf } from '../../src/fim/import-schema.js';
import { isAmtsboteError } from '../../src/lib/errors.js';
import {
  fimReferenceDir,
  fixture,
  fixturesDir,
  gatewayAjv,
  hasFimReference,
  needsFimReference,
  readFixture,
} from './helpers.js';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => value as Obj;

const hunde = importFimSchema(readFixture('hundeanmeldung-xdf3-1.0.0.xml'), 'hunde.xml', {
  key: '99000000000001',
  codelistsDir: fixturesDir,
});
const root = hunde.schema;
/** The schema at a path of property names (`items` steps into an array). */
const prop = (path: string, from: Obj = root): Obj =>
  path.split('/').reduce<Obj>((s, step) => (step === 'items' ? obj(s.items) : obj(obj(s.properties)[step])), from);
const props = obj(root.properties);
const validate = gatewayAjv().compile(hunde.schema);
const data = obj(hunde.example.data);
const withData = (change: (d: Obj) => void): boolean => {
  const copy = structuredClone(data);
  change(copy);
  return validate(copy);
};

describe('a 3.0.0 Stammdatenschema of our own', () => {
  it('gives a JSON Schema 2020-12 that compiles, naming the FIM schema in $id, and an example that validates', () => {
    expect(root.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(root.$id).toBe('https://amtsbote.dev/schemas/fim/S99000001/1.0.0.json');
    expect(root['x-fim-id']).toBe('S99000001');
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(hunde.unfilled).toEqual([]);
  });

  it('names properties readably from FIM names and keeps id and version on each', () => {
    expect(Object.keys(props)).toContain('halterinOderHalter');
    expect(prop('halterinOderHalter/familienname')).toMatchObject({
      'x-fim-id': 'F99000001',
      'x-fim-version': '1.0.0',
      title: 'Familienname',
    });
    expect(Object.keys(props)).toContain('gebuehr'); // ü → ue
    expect(fileStemOf('Antrag auf Erteilung / Verlängerung Bewohnerparkausweis')).toBe(
      'antrag-auf-erteilung-verlaengerung-bewohnerparkausweis',
    );
  });

  describe('cardinalities', () => {
    it('1:1 is a required property', () => {
      expect(root.required).toContain('halterinOderHalter');
      expect(
        withData((d) => {
          delete d.halterinOderHalter;
        }),
      ).toBe(false);
    });
    it('0:1 is an optional property', () => {
      expect(prop('halterinOderHalter').required).not.toContain('vornamen');
      expect(prop('halterinOderHalter/vornamen').type).toBe('string');
    });
    it('1:3 is a required array with minItems 1 and maxItems 3', () => {
      expect(props.hund).toMatchObject({ type: 'array', minItems: 1, maxItems: 3 });
      expect(root.required).toContain('hund');
      const dog = (data.hund as unknown[])[0];
      expect(withData((d) => void (d.hund = []))).toBe(false);
      expect(withData((d) => void (d.hund = [dog, dog, dog, dog]))).toBe(false);
      expect(withData((d) => void (d.hund = [dog, dog, dog]))).toBe(true);
    });
    it('2:5 is an array with minItems 2 and maxItems 5', () => {
      expect(props.merkmal).toMatchObject({ type: 'array', minItems: 2, maxItems: 5 });
      expect(withData((d) => void (d.merkmal = ['a']))).toBe(false);
    });
    it('0:2 is an optional array with maxItems 2 and no minItems', () => {
      expect(props.nachweisDerHaftpflichtversicherung).toMatchObject({ type: 'array', maxItems: 2 });
      expect(prop('nachweisDerHaftpflichtversicherung').minItems).toBeUndefined();
      expect(root.required).not.toContain('nachweisDerHaftpflichtversicherung');
    });
  });

  describe('data types', () => {
    it('text: string with its lengths and a DIN 91379 datatype', () => {
      expect(prop('halterinOderHalter/familienname')).toMatchObject({
        type: 'string',
        minLength: 1,
        maxLength: 60,
        'x-din91379': 'A',
      });
      expect(withData((d) => void (obj(d.halterinOderHalter).familienname = 'x'.repeat(61)))).toBe(false);
      expect(withData((d) => void (obj(d.halterinOderHalter).familienname = 'Mustermann\u0007'))).toBe(false);
    });
    it('text_latin: string of datatype C', () => {
      expect(props.bemerkung).toMatchObject({ type: 'string', maxLength: 500, 'x-din91379': 'C' });
    });
    it('date, datetime, time: formats and an HH:MM pattern', () => {
      expect(prop('halterinOderHalter/geburtsdatum')).toMatchObject({ type: 'string', format: 'date' });
      expect(props.zeitpunktDerErklaerung).toMatchObject({ type: 'string', format: 'date-time' });
      expect(prop('uhrzeitDerAbgabe').type).toBe('string');
      expect(withData((d) => void (d.uhrzeitDerAbgabe = '23:59'))).toBe(true);
      expect(withData((d) => void (d.uhrzeitDerAbgabe = '24:00'))).toBe(false);
      expect(withData((d) => void (obj(d.halterinOderHalter).geburtsdatum = '2020-02-30'))).toBe(false);
    });
    it('bool: boolean', () => {
      expect(prop('zahlungsweise/barzahlung').type).toBe('boolean');
    });
    it('num and num_int: number and integer with their range', () => {
      expect(props.gewichtInKilogramm).toMatchObject({ type: 'number', minimum: 0.5, maximum: 120 });
      expect(props.anzahlDerHunde).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
      expect(withData((d) => void (d.anzahlDerHunde = 6))).toBe(false);
      expect(withData((d) => void (d.anzahlDerHunde = 1.5))).toBe(false);
    });
    it('num_currency: a number, its two decimals reported', () => {
      expect(props.gebuehr).toMatchObject({ type: 'number', minimum: 0 });
      expect(hunde.report.notExpressible.map((n) => n.fimId)).toContain('F99000010');
    });
    it('file: an attachment reference; its size and media type become the attachment rules', () => {
      expect(prop('nachweisDerHaftpflichtversicherung/items').required).toEqual(['attachmentId']);
      expect(hunde.service('x.schema.json').attachments).toEqual({
        maxCount: 2,
        maxBytes: 1048576,
        mediaTypes: ['application/pdf'],
      });
    });
    it('a pattern is anchored: the whole value must match, as in FIM', () => {
      expect(prop('zahlungsweise/iban').pattern).toBe('^(?:[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})$');
      expect(withData((d) => void (d.zahlungsweise = { iban: 'xxDE02120300000000202051' }))).toBe(false);
      expect(withData((d) => void (d.zahlungsweise = { iban: 'DE02120300000000202051' }))).toBe(true);
    });
  });

  describe('selections', () => {
    it('inline values: enum of the codes, titles kept', () => {
      const rasse = prop('hund/items/rasse');
      expect(rasse.enum).toEqual(['01', '02', '03']);
      expect(rasse['x-fim-code-titles']).toEqual({ '01': 'Mischling', '02': 'Dackel', '03': 'Schäferhund' });
      expect(withData((d) => void (obj((d.hund as unknown[])[0]).rasse = '04'))).toBe(false);
    });
    it('a genericode code list from --codelists: enum of its codes, titles and list named', () => {
      const staat = prop('staatsangehoerigkeit');
      expect(staat.enum).toEqual(['000', '121', '129']);
      expect(obj(staat['x-fim-code-titles'])['129']).toBe('französisch');
      expect(staat['x-fim-codelist']).toBe('urn:amtsbote:test:codeliste:staat version 2024-01-01');
      expect(hunde.report.missingCodeLists).toEqual([]);
    });
    it('a code list not at hand is reported, never guessed', () => {
      const without = importFimSchema(readFixture('hundeanmeldung-xdf3-1.0.0.xml'), 'hunde.xml', {
        key: '99000000000001',
      });
      expect(without.report.missingCodeLists).toEqual([
        {
          fimId: 'F99000017',
          pointer: '/data/staatsangehoerigkeit',
          list: 'urn:amtsbote:test:codeliste:staat version 2024-01-01',
        },
      ]);
      expect(prop('staatsangehoerigkeit', without.schema).enum).toBeUndefined();
    });
  });

  it('a choice group becomes oneOf: exactly one member', () => {
    expect(prop('zahlungsweise').oneOf).toEqual([{ required: ['iban'] }, { required: ['barzahlung'] }]);
    expect(prop('zahlungsweise').required).toBeUndefined();
    expect(withData((d) => void (d.zahlungsweise = { barzahlung: true }))).toBe(true);
    expect(withData((d) => void (d.zahlungsweise = {}))).toBe(false);
    expect(withData((d) => void (d.zahlungsweise = { barzahlung: true, iban: 'DE02120300000000202051' }))).toBe(false);
    expect(hunde.report.became['group → object (oneOf, choice group)']).toBe(1);
  });

  it('drops label fields, and lists rules and date ranges as not expressible', () => {
    expect(Object.keys(props)).not.toContain('hinweisZurHundesteuer');
    expect(hunde.report.became['field → dropped (label)']).toBe(1);
    const listed = hunde.report.notExpressible.map((n) => `${n.fimId}: ${n.what}`);
    expect(listed).toContainEqual(expect.stringMatching(/^R99000001: rule "Hunde und Anzahl".*Anzahl der Hunde muss/));
    expect(listed).toContainEqual(expect.stringMatching(/^F99000003: the range 1900-01-01/));
  });
});

describe('a 2.0 Stammdatenschema of our own, with the deviations real ones show', () => {
  const person = importFimSchema(readFixture('personenmeldung-xdf2.xml'), 'person.xml', {
    key: '99000000000002',
    codelistsDir: fixturesDir,
  });
  const group = prop('angabenZurPerson', person.schema);

  it('reads 2.0 precisions (JSON text) and 2.0 code list references', () => {
    expect(prop('familienname', group)).toMatchObject({ minLength: 1, maxLength: 120 });
    expect(prop('vorname', group)).toMatchObject({ type: 'array', minItems: 1 });
    expect(prop('vorname', group).maxItems).toBeUndefined();
    expect(prop('staatsangehoerigkeit', group).enum).toEqual(['000', '121', '129']);
  });

  it('warns about a missing version and characters outside the Latin set, and still imports', () => {
    expect(person.report.warnings).toContainEqual('S99000002: no version given (identifikation/version)');
    expect(person.report.warnings).toContainEqual(
      expect.stringMatching(/^S99000002: description has characters outside the Latin set/),
    );
    expect(person.schema.$id).toBe('https://amtsbote.dev/schemas/fim/S99000002/unversioned.json');
  });

  it('reports a precision that is no JSON, a note in place of a pattern, and a missing code list', () => {
    const listed = person.report.notExpressible.map((n) => `${n.fimId}: ${n.what}`);
    expect(listed).toContain('F99000103: precision "1..31" is not min/max length, range or pattern');
    expect(listed).toContainEqual(
      expect.stringMatching(/^F99000105: precision \{"pattern":"Mehrfachauswahl"\} on a selection/),
    );
    expect(person.report.missingCodeLists.map((m) => m.list)).toEqual(['urn:amtsbote:test:codeliste:fehlt version 1']);
    expect(gatewayAjv().compile(person.schema)(person.example.data)).toBe(true);
  });
});

describe('refusals', () => {
  const refusal = (xml: string): string => {
    try {
      importFimSchema(xml, 'in.xml', { key: '99000000000003' });
    } catch (e) {
      expect(isAmtsboteError(e)).toBe(true);
      return (e as Error).message;
    }
    throw new TypeError('no refusal');
  };
  it('refuses XDatenfelder 1.0 with a clear message', () => {
    expect(refusal(readFixture('xdf1-schema.xml'))).toMatch(
      /XDatenfelder 1\.0 is not supported.*export the schema as XDatenfelder 2\.0 or 3\.0\.0/,
    );
  });
  it('refuses another XDatenfelder message, a foreign document and a cardinality it cannot read', () => {
    expect(
      refusal('<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"/>'),
    ).toMatch(/not a Stammdatenschema message/);
    expect(refusal('<root/>')).toMatch(/not an XDatenfelder message/);
    expect(refusal(readFixture('hundeanmeldung-xdf3-1.0.0.xml').replace('<xdf:anzahl>2:5', '<xdf:anzahl>5:2'))).toMatch(
      /cardinality "5:2"/,
    );
  });
});

describe('the XDatenfelder XSDs', () => {
  it.skipIf(!hasFimReference)(needsFimReference('find nothing in our 3.0.0 fixture'), () => {
    const checked = importFimSchema(readFixture('hundeanmeldung-xdf3-1.0.0.xml'), 'hunde.xml', {
      key: '99000000000001',
      codelistsDir: fixturesDir,
      xsdDir: join(fimReferenceDir, 'xdatenfelder-3.0.0'),
    });
    expect(checked.report.warnings.filter((w) => w.startsWith('XSD'))).toEqual([]);
  });
  it.skipIf(!hasFimReference)(
    needsFimReference('report the Latin-set deviation of the 2.0 fixture as a warning'),
    () => {
      const checked = importFimSchema(readFixture('personenmeldung-xdf2.xml'), 'person.xml', {
        key: '99000000000002',
        codelistsDir: fixturesDir,
        xsdDir: join(fimReferenceDir, 'xdatenfelder-2.0'),
      });
      const xsd = checked.report.warnings.filter((w) => w.startsWith('XSD'));
      expect(xsd).toHaveLength(1);
      expect(xsd[0]).toMatch(/^XSD 2\.0 line \d+: .*beschreibung/);
    },
  );
  it('are not checked without --xsd, and the report says so', () => {
    expect(hunde.report.warnings).toContain(
      'not checked against the XDatenfelder 3.0.0 XSDs (give their folder with --xsd)',
    );
  });
});

describe.skipIf(!hasFimReference)(needsFimReference('the real Stammdatenschemata'), () => {
  const bewohnerparken = join(fimReferenceDir, 'examples/bewohnerparken');

  it('S05000058 Bewohnerparkausweis (2.0): every code list resolves, the schema compiles, the example validates', () => {
    const imported = importFimSchema(
      readFileSync(join(bewohnerparken, 'S05000058V1.0_xdf2.xml'), 'utf8'),
      'S05000058V1.0_xdf2.xml',
      { key: '99108001001000', codelistsDir: bewohnerparken, xsdDir: join(fimReferenceDir, 'xdatenfelder-2.0') },
    );
    expect(imported.report.missingCodeLists).toEqual([]);
    expect(imported.report.became).toEqual({
      'cardinality → array (1:*)': 1,
      'field → attachment reference (file)': 2,
      'field → enum (code list)': 7,
      'field → number (num)': 2,
      'field → string (date)': 3,
      'field → string (text)': 19,
      'group → object': 8,
    });
    expect(imported.report.notExpressible.map((n) => n.fimId)).toEqual(['R05000281', 'R05000334']);
    expect(imported.report.warnings.filter((w) => w.startsWith('XSD'))).toEqual([]);
    const validate = gatewayAjv().compile(imported.schema);
    expect(validate(imported.example.data), JSON.stringify(validate.errors)).toBe(true);
  });

  it('S00000009 Gewerbeanmeldung (2.0, no version, its 15 code lists not at hand): reported, compiles, example validates', () => {
    const imported = importFimSchema(
      readFileSync(join(fimReferenceDir, 'examples/gewerbeanmeldung/S00000009_xdatenfelder.xml'), 'utf8'),
      'S00000009_xdatenfelder.xml',
      { key: '99050012104000' },
    );
    expect(imported.report.missingCodeLists).toHaveLength(15);
    expect(imported.report.warnings).toContain('S00000009: no version given (identifikation/version)');
    expect(imported.report.became['field → dropped (label)']).toBe(5);
    expect(imported.report.became['group → object']).toBe(54);
    const validate = gatewayAjv().compile(imported.schema);
    expect(validate(imported.example.data), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the small 3.0.0 example reads, its pattern "test" kept anchored', () => {
    const imported = importFimSchema(
      readFileSync(join(fimReferenceDir, 'examples/xdf3-synthetic.xml'), 'utf8'),
      'xdf3-synthetic.xml',
      { key: '99000000000004', xsdDir: join(fimReferenceDir, 'xdatenfelder-3.0.0') },
    );
    expect(imported.fim.xdfVersion).toBe('3.0.0');
    gatewayAjv().compile(imported.schema);
    expect(imported.report.notExpressible.map((n) => n.what)).toContainEqual(
      expect.stringMatching(/^the pattern "test" reads as a note/),
    );
  });
});

it('a fixture path helper points into test/fim/fixtures', () => {
  expect(fixture('x')).toBe(join(fixturesDir, 'x'));
});
