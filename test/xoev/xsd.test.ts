import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { diag } from 'libxml2-wasm';
import { afterAll, describe, it, expect } from 'vitest';
import { compileSchemaSet, disposeSchemaSet } from '../../src/xoev/xsd/compile-schema-set.js';
import { findSchemaSet } from '../../src/xoev/xsd/find-schema-set.js';
import { sanitizeXsdMessage } from '../../src/xoev/xsd/sanitize-message.js';
import { validateXml } from '../../src/xoev/index.js';
import { dirs, hasReference, needsReference, projectRoot, referenceDir } from './helpers.js';

const profileRoot = join(projectRoot, 'xsd', 'xgewerbeanzeige', '2.2', 'xgewerbeanzeige.xsd');
const kosit = (name: string): string => join(referenceDir, 'xgewerbeanzeige', '2.2', 'examples', name);
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

const profile = compileSchemaSet(findSchemaSet({ xsdDir: dirs.xsdDir }, 'xgewerbeanzeige', '2.2'));
afterAll(() => {
  disposeSchemaSet(profile);
});

describe('the XGewerbeanzeige 2.2 profile schema', () => {
  it('is found as Amtsbote profile and compiles from relative schemaLocations', () => {
    expect(profile.id).toBe('amtsbote-profile:xgewerbeanzeige/2.2');
    expect(profile.kind).toBe('amtsbote-profile');
    expect(profile.rootFile).toBe(profileRoot);
  });

  it('says in the schema itself that it is unofficial', () => {
    expect(readFileSync(profileRoot, 'utf8')).toMatch(/<xs:documentation>Unofficial Amtsbote profile/);
  });

  it.skipIf(!hasReference)(needsReference(`accepts KoSIT's valid 2.2 message`), () => {
    const result = validateXml(profile, readFileSync(kosit('xgwa2.2-valid.xml'), 'utf8'));
    expect(result).toEqual({ valid: true, schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.2', errors: [] });
  });

  it.skipIf(!hasReference)(
    needsReference(`rejects KoSIT's invalid 2.2 message, which lacks betriebArt and familienname`),
    () => {
      const result = validateXml(profile, readFileSync(kosit('xgwa2.2-invalid.xml'), 'utf8'));
      expect(result.valid).toBe(false);
      expect(result.errors[0]?.message).toContain('betriebArt');
      expect(result.errors[0]?.line).toBe(137);
      expect(result.errors[0]?.xmlPath).toBe(
        '/xga:abh.gewerbemeldung.0500/xga:satz/xga:anmeldung/xga:gewerbe/xga:niederlassungArt',
      );
      // familienname: the same message with betriebArt restored still fails, on the person
      const onlyNameMissing = readFileSync(kosit('xgwa2.2-valid.xml'), 'utf8').replace(
        /<xga:familienname>Pick<\/xga:familienname>/,
        '',
      );
      const second = validateXml(profile, onlyNameMissing);
      expect(second.valid).toBe(false);
      expect(second.errors[0]?.message).toContain('familienname');
    },
  );

  it.skipIf(!hasReference || !hasXmllint)(
    hasXmllint
      ? needsReference('gives the same answers with xmllint --nonet')
      : 'gives the same answers with xmllint --nonet — skipped: xmllint not installed (Debian: apt-get install libxml2-utils)',
    () => {
      const lint = (file: string) =>
        spawnSync('xmllint', ['--nonet', '--noout', '--schema', profileRoot, file], { encoding: 'utf8' });
      expect(lint(kosit('xgwa2.2-valid.xml')).status).toBe(0);
      const invalid = lint(kosit('xgwa2.2-invalid.xml'));
      expect(invalid.status).not.toBe(0);
      expect(invalid.stderr).toContain('betriebArt');
    },
  );

  it('refuses a document that is not even well-formed, with its line', () => {
    const result = validateXml(
      profile,
      '<xga:alg.gewerbemeldung.0300 xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/2.2">\n<oops>',
    );
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.line).toBeGreaterThan(0);
  });

  it('never leaks a parsed document, whatever the input (dispose in finally)', () => {
    diag.configure({ enabled: true });
    try {
      const inputs = [
        '<not-closed>',
        '',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        '<xga:sta.gewerbemeldung.0100 xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/2.2"/>',
        hasReference ? readFileSync(kosit('xgwa2.2-invalid.xml'), 'utf8') : '<a/>',
        hasReference ? readFileSync(kosit('xgwa2.2-valid.xml'), 'utf8') : '<b/>',
      ];
      for (let i = 0; i < 50; i++) for (const input of inputs) validateXml(profile, input);
      expect(diag.report()).toEqual({});
    } finally {
      diag.configure({ enabled: false });
    }
  });
});

describe('XSD message sanitising', () => {
  it('drops the offending value and the (long) pattern from libxml2 messages', () => {
    expect(
      sanitizeXsdMessage(
        "Element 'xga:familienname': [facet 'pattern'] The value 'Müller1' is not accepted by the pattern '(A|B)*'.\n",
      ),
    ).toBe("Element 'xga:familienname': [facet 'pattern'] The value is not accepted by the pattern.");
    expect(
      sanitizeXsdMessage("Element 'xga:gueltigAb': '2026-13-01' is not a valid value of the atomic type 'xs:date'."),
    ).toBe("Element 'xga:gueltigAb': The value is not a valid value of the atomic type 'xs:date'.");
    expect(sanitizeXsdMessage("Element 'xga:x': This element is not expected.")).toBe(
      "Element 'xga:x': This element is not expected.",
    );
  });
});

describe('official schema sets', () => {
  it('take precedence over the profile and are recorded as official:<folder>', () => {
    const official = mkdtempSync(join(tmpdir(), 'amtsbote-official-'));
    const setDir = join(official, 'xgewerbeanzeige', '2.2', '2026-01-15-xrepository');
    mkdirSync(setDir, { recursive: true });
    // A stand-in for the official set: the manifest points at a root schema (here: the profile).
    writeFileSync(join(setDir, 'schema-set.json'), JSON.stringify({ root: relative(setDir, profileRoot) }));
    const source = findSchemaSet({ xsdDir: dirs.xsdDir, officialSchemasDir: official }, 'xgewerbeanzeige', '2.2');
    expect(source).toMatchObject({
      id: 'official:2026-01-15-xrepository',
      kind: 'official',
      rootFile: join(setDir, relative(setDir, profileRoot)),
    });
    const set = compileSchemaSet(source);
    try {
      expect(
        validateXml(set, '<xga:sta.gewerbemeldung.0100 xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/2.2"/>')
          .schemaSet,
      ).toBe('official:2026-01-15-xrepository');
    } finally {
      disposeSchemaSet(set);
    }
  });

  it('resolve absolute imports through their catalog, and refuse (never fetch) what the catalog lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-catalog-'));
    writeFileSync(
      join(dir, 'types.xsd'),
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"><xs:simpleType name="T"><xs:restriction base="xs:string"><xs:maxLength value="3"/></xs:restriction></xs:simpleType></xs:schema>',
    );
    const root = (location: string) =>
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t"><xs:import namespace="urn:t" schemaLocation="${location}"/><xs:element name="x" type="t:T"/></xs:schema>`;
    writeFileSync(join(dir, 'root.xsd'), root('https://example.invalid/schemas/types.xsd'));
    writeFileSync(
      join(dir, 'catalog.xml'),
      '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"><rewriteURI uriStartString="https://example.invalid/schemas/" rewritePrefix="./"/></catalog>',
    );
    const set = compileSchemaSet({
      id: 'official:t',
      kind: 'official',
      standard: 't',
      version: '1',
      rootFile: join(dir, 'root.xsd'),
      catalogFile: join(dir, 'catalog.xml'),
    });
    try {
      expect(validateXml(set, '<x>abc</x>').valid).toBe(true);
      expect(validateXml(set, '<x>abcd</x>').valid).toBe(false);
    } finally {
      disposeSchemaSet(set);
    }
    writeFileSync(join(dir, 'root2.xsd'), root('https://elsewhere.invalid/types.xsd'));
    expect(() =>
      compileSchemaSet({
        id: 'official:t2',
        kind: 'official',
        standard: 't',
        version: '1',
        rootFile: join(dir, 'root2.xsd'),
        catalogFile: join(dir, 'catalog.xml'),
      }),
    ).toThrow(/Not in the catalog \(never fetched\): https:\/\/elsewhere\.invalid\/types\.xsd/);
  });

  it.skipIf(!hasReference)(needsReference(`compile a real official set with its catalog chain: XMeld 26.11`), () => {
    const base = join(referenceDir, 'xmeld', '26.11');
    const set = compileSchemaSet({
      id: 'official:xmeld-26.11',
      kind: 'official',
      standard: 'xmeld',
      version: '26.11',
      rootFile: join(base, 'schema', 'xmeld-nachrichten-onlinedienste.xsd'),
      catalogFile: join(base, 'catalog.xml'),
    });
    try {
      const result = validateXml(
        set,
        '<xmeld:onlinedienste.anmeldung.meldeschein.1704 xmlns:xmeld="http://www.osci.de/xmeld2611"/>',
      );
      expect(result.valid).toBe(false); // compiled: it knows the element and misses its content
      expect(result.errors[0]?.message).not.toContain('No matching global declaration');
    } finally {
      disposeSchemaSet(set);
    }
  });
});

describe('the generated DIN 91379 XSD types', () => {
  it.skipIf(!hasReference)(needsReference(`agree with the official datatypes on all 930 list entries`), () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-din-'));
    const dinXsd = join(projectRoot, 'xsd', 'xgewerbeanzeige', '2.2', 'amtsbote-din91379.xsd');
    writeFileSync(
      join(dir, 'din-test.xsd'),
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="urn:amtsbote:xsd:din91379:2022-08">
        <xs:import namespace="urn:amtsbote:xsd:din91379:2022-08" schemaLocation="${dinXsd}"/>
        <xs:element name="A" type="d:datatypeA"/><xs:element name="B" type="d:datatypeB"/><xs:element name="C" type="d:datatypeC"/>
      </xs:schema>`,
    );
    const set = compileSchemaSet({
      id: 'test:din',
      kind: 'amtsbote-profile',
      standard: 'din',
      version: '1',
      rootFile: join(dir, 'din-test.xsd'),
    });
    try {
      const list = JSON.parse(
        readFileSync(join(referenceDir, 'din91379', 'din91379_2022-08_list_1.3.json'), 'utf8'),
      ) as {
        entries: { string: string; acceptedStandaloneBy: Record<string, boolean> }[];
      };
      const escape = (s: string) =>
        s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');
      const mismatches: string[] = [];
      for (const entry of list.entries) {
        for (const dt of ['A', 'B', 'C']) {
          const valid = validateXml(set, `<${dt}>${escape(entry.string)}</${dt}>`).valid;
          if (valid !== entry.acceptedStandaloneBy[dt]) mismatches.push(`${JSON.stringify(entry.string)} ${dt}`);
        }
      }
      expect(mismatches).toEqual([]);
    } finally {
      disposeSchemaSet(set);
    }
  });
});
