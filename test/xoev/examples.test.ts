import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { XmlDocument } from 'libxml2-wasm';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, it, expect } from 'vitest';
import { AmtsboteError } from '../../src/lib/errors.js';
import { addDin91379Keyword, loadXoev, normalizeNfc, produceMessage } from '../../src/xoev/index.js';
import { contextFor, dirs, examples, projectRoot, services, target } from './helpers.js';

const xoev = loadXoev(dirs);
afterAll(() => {
  xoev.close();
});

const ajv = addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true, strictRequired: false }));
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
function dataValidator(service: string): ValidateFunction {
  let validate = validators.get(service);
  if (validate === undefined) {
    validate = ajv.compile(
      JSON.parse(readFileSync(join(projectRoot, 'config', 'services', `${service}.schema.json`), 'utf8')) as object,
    );
    validators.set(service, validate);
  }
  return validate;
}

function serviceKey(service: string): string {
  return (
    parseYaml(readFileSync(join(projectRoot, 'config', 'services', `${service}.yaml`), 'utf8')) as { key: string }
  ).key;
}

const mappingOf = (key: string) => xoev.mappings.mappings.find((m) => m.services.includes(key));
const classes = ['alg.gewerbemeldung.0300', 'sta.gewerbemeldung.0100', 'abh.gewerbemeldung.0500'];

function elements(xml: string, local: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.find(`//*[local-name()='${local}']`).map((n) => n.content.trim());
  } finally {
    doc.dispose();
  }
}

describe.each(services)('%s examples', (service) => {
  const all = examples(service);
  const valid = all.filter((e) => e.valid);

  it('exist, and the service has a mapping for XGewerbeanzeige 2.2', () => {
    expect(valid.length).toBeGreaterThan(0);
    expect(mappingOf(serviceKey(service))?.name).toBe(service);
  });

  describe.each(valid.map((e) => [e.name, e] as const))('%s', (_name, example) => {
    const data = normalizeNfc(example.envelope.data);

    it('passes the service schema with the DIN 91379 keyword', () => {
      const validate = dataValidator(service);
      expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    });

    it.each(classes)('maps and validates as %s (or is refused where the class is not entitled)', async (message) => {
      const mapping = mappingOf(example.envelope.serviceKey);
      const context = contextFor(example.envelope, target(message), data);
      if (!mapping?.messages.includes(message)) {
        await expect(produceMessage(xoev, target(message), context)).rejects.toMatchObject({ code: 'invalid-config' });
        return;
      }
      const out = await produceMessage(xoev, target(message), context);
      expect(out.schemaSet).toBe('amtsbote-profile:xgewerbeanzeige/2.2');
      expect(out.content).toContain(`<xga:${message} xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/2.2"`);
      expect(elements(out.content, 'nachrichtentyp')).toEqual([message.slice(-4)]);
      expect(elements(out.content, 'satz')).toHaveLength(1);
      const persons = (data as { persons: { familyName: string }[] }).persons;
      expect(elements(out.content, 'familienname')).toEqual(persons.map((p) => p.familyName));
      if (message.startsWith('sta.')) {
        // the statistics office gets no birth data, private addresses or contact details
        for (const local of [
          'geburtsdatum',
          'geburtsort',
          'geburtsname',
          'geburtsland',
          'erreichbarkeit',
          'kuenftigesGewerbe',
        ]) {
          expect(elements(out.content, local), local).toEqual([]);
        }
        expect(elements(out.content, 'beteiligtePerson').length).toBe(persons.length);
        expect(out.content).not.toMatch(/<xga:beteiligtePerson>(?:(?!<\/xga:beteiligtePerson>)[\s\S])*<xga:anschrift>/);
      } else {
        expect(elements(out.content, 'geburtsdatum').length).toBe(persons.length);
      }
    });
  });

  it('invalid examples are refused by the service schema at the pointer their expectations name', () => {
    const file = join(projectRoot, 'examples', service, 'expectations.json');
    const expected = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
    for (const example of all.filter((e) => !e.valid)) {
      const validate = dataValidator(service);
      expect(validate(normalizeNfc(example.envelope.data)), example.name).toBe(false);
      const pointers = (validate.errors ?? []).map((e) => {
        const params = e.params as { missingProperty?: string };
        return (
          '/data' +
          e.instancePath +
          (e.keyword === 'required' && params.missingProperty !== undefined ? `/${params.missingProperty}` : '')
        );
      });
      const want = expected[example.name];
      if (want !== undefined) expect(pointers, example.name).toContain(want);
    }
  });
});

describe('the mappings and the rest of the configuration', () => {
  it('serve exactly the services configured for XGewerbeanzeige, with the keys of their service files', () => {
    const configured = readdirSync(join(projectRoot, 'config', 'services'))
      .filter((n) => n.endsWith('.yaml'))
      .map(
        (n) =>
          parseYaml(readFileSync(join(projectRoot, 'config', 'services', n), 'utf8')) as {
            key: string;
            standard?: { name: string; versions: string[] };
          },
      )
      .filter((s) => s.standard?.name === 'xgewerbeanzeige');
    for (const s of configured) {
      for (const version of s.standard?.versions ?? []) {
        expect(
          xoev.mappings.mappings.some((m) => m.version === version && m.services.includes(s.key)),
          `${s.key} ${version}`,
        ).toBe(true);
      }
    }
  });

  it('produce only messages the profile schema of their standard and version declares', () => {
    for (const m of xoev.mappings.mappings) {
      // JSON mappings have no XSD: their schema (with its $id) is checked when they load.
      if (m.format === 'json') continue;
      const xsd = readFileSync(join(projectRoot, 'xsd', m.standard, m.version, `${m.standard}.xsd`), 'utf8');
      for (const message of m.messages) expect(xsd, `${m.file}: ${message}`).toContain(`<xs:element name="${message}"`);
    }
  });

  it('turn an XSD error into invalid-message with the XML path and the input pointer', async () => {
    const example = examples('gewerbeanmeldung').find((e) => e.valid);
    if (example === undefined) throw new Error('no example');
    const data = structuredClone(example.envelope.data) as { startDate: string };
    data.startDate = '2026-02-30'; // passes the mapping, fails xs:date
    const error = (await produceMessage(
      xoev,
      target('alg.gewerbemeldung.0300'),
      contextFor(example.envelope, target('alg.gewerbemeldung.0300'), data),
    ).catch((e: unknown) => e)) as AmtsboteError;
    expect(error).toBeInstanceOf(AmtsboteError);
    expect(error.code).toBe('invalid-message');
    expect(error.errors[0]?.pointer).toBe('/data/startDate');
    expect(error.errors[0]?.detail).toContain('/xga:alg.gewerbemeldung.0300/xga:satz/xga:anmeldung/xga:gueltigAb');
    expect(error.errors[0]?.detail).not.toContain('2026-02-30');
    expect(error.extensions).toMatchObject({ schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.2' });
  });
});
