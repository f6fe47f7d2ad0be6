import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateXml } from '../../src/xoev/index.js';
import { compileSchemaSet, disposeSchemaSet } from '../../src/xoev/xsd/compile-schema-set.js';
import { findSchemaSet } from '../../src/xoev/xsd/find-schema-set.js';
import { dirs, projectRoot } from './helpers.js';
import {
  hasOfficialXmeld,
  hasXmllint,
  lintOfficial,
  officialXmeldCatalog,
  officialXmeldDir,
  officialXmeldRoot,
  lintProfile,
  officialSkipReason,
  profileXmeldRoot,
  withSkipReason,
} from './xmeld-helpers.js';

const profile = compileSchemaSet(findSchemaSet({ xsdDir: dirs.xsdDir }, 'xmeld', '26.11'));
afterAll(() => {
  disposeSchemaSet(profile);
});

/** Officially valid 1704 messages written by hand, independently of Amtsbote's mapping. */
const fixturesDir = join(projectRoot, 'test', 'xoev', 'fixtures', 'xmeld-26.11');
const fixtures = readdirSync(fixturesDir)
  .filter((n) => n.endsWith('.xml'))
  .sort()
  .map((name) => ({ name, xml: readFileSync(join(fixturesDir, name), 'utf8') }));
const family = fixtures.find((f) => f.name === '1704-familie-umfassend.xml')?.xml ?? '';
const single = fixtures.find((f) => f.name === '1704-einzelperson-leipzig.xml')?.xml ?? '';

describe('the XMeld 26.11 profile schema', () => {
  it('is found as Amtsbote profile, compiles from relative schemaLocations and says it is unofficial', () => {
    expect(profile.id).toBe('amtsbote-profile:xmeld/26.11');
    expect(profile.rootFile).toBe(profileXmeldRoot);
    const xsd = readFileSync(profileXmeldRoot, 'utf8');
    expect(xsd).toMatch(/<xs:documentation>Unofficial Amtsbote profile of XMeld 26\.11/);
    expect([...xsd.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => m[1])).toEqual(['amtsbote-din91379.xsd']);
  });

  it('uses the same generated DIN 91379 types as the XGewerbeanzeige profile (scripts/generate-din91379.mjs)', () => {
    expect(readFileSync(join(projectRoot, 'xsd', 'xmeld', '26.11', 'amtsbote-din91379.xsd'), 'utf8')).toBe(
      readFileSync(join(projectRoot, 'xsd', 'xgewerbeanzeige', '2.2', 'amtsbote-din91379.xsd'), 'utf8'),
    );
  });

  it('has hand-written 1704 fixtures, among them one that uses the optional parts the mapping never writes', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
    for (const part of [
      'nachnamepass',
      'frueherer.familienname',
      'passversagung',
      'nameJuristischePerson',
      'anschrift.unbekannt',
      'landesspezifischeErweiterungen',
      'bestimmungDerHauptwohnung',
      'konkateniert',
      'jahrMonat',
      'unbekannt',
      'anschrift.leser',
    ]) {
      expect(family, part).toContain(part);
    }
  });

  it.skipIf(officialSkipReason !== undefined)(
    withSkipReason(
      'the hand-written fixtures are valid against the official XMeld 26.11 schema set (xmllint, catalog)',
      officialSkipReason,
    ),
    () => {
      for (const f of fixtures) {
        const result = lintOfficial(f.xml, f.name);
        expect(result.valid, `${f.name}: ${result.output}`).toBe(true);
      }
    },
  );

  it.each(fixtures.map((f) => [f.name, f] as const))('accepts the officially valid fixture %s', (_name, f) => {
    expect(validateXml(profile, f.xml)).toEqual({ valid: true, schemaSet: 'amtsbote-profile:xmeld/26.11', errors: [] });
  });

  it.skipIf(!hasXmllint)(
    withSkipReason(
      'gives the same answer with plain xmllint --nonet (relative imports only)',
      hasXmllint ? undefined : 'xmllint not installed (Debian: apt-get install libxml2-utils)',
    ),
    () => {
      for (const f of fixtures) expect(lintProfile(f.xml, f.name).valid, f.name).toBe(true);
    },
  );

  // Each variant breaks one rule of the official schema; the profile must not be vacuous there.
  const variants: [string, string, (xml: string) => string][] = [
    [
      'without ergaenzendeMeldedaten',
      single,
      (x) => x.replace(/<xmeld:ergaenzendeMeldedaten>[\s\S]*<\/xmeld:ergaenzendeMeldedaten>/, ''),
    ],
    ['with a message type that does not exist', single, (x) => x.replace('<code>1704</code>', '<code>9999</code>')],
    ['with a Familienstand outside DSMeld-Blatt 1401', single, (x) => x.replace('<code>LD</code>', '<code>XX</code>')],
    [
      'with listVersionID 7 where XMeld fixes 8 (Auskunftssperre)',
      single,
      (x) => x.replace('listVersionID="8"', 'listVersionID="7"'),
    ],
    [
      'with a qualified header element',
      single,
      (x) => x.replace('<leser>', '<xmeld:leser>').replace('</leser>', '</xmeld:leser>'),
    ],
    [
      'with an unqualified content element',
      single,
      (x) =>
        x
          .replace('<xmeld:identifikation>', '<identifikation xmlns="">')
          .replace('</xmeld:identifikation>', '</identifikation>'),
    ],
    [
      'with elements out of order',
      single,
      (x) =>
        x
          .replace(/(<xmeld:datumDesBeziehens>2026-11-15<\/xmeld:datumDesBeziehens>)/, '')
          .replace(
            '</xmeld:neueWohnung>',
            '</xmeld:neueWohnung>\n<xmeld:datumDesBeziehens>2026-11-15</xmeld:datumDesBeziehens>',
          ),
    ],
    [
      'with a house number that has a letter',
      single,
      (x) => x.replace('<hausnummer>27</hausnummer>', '<hausnummer>27a</hausnummer>'),
    ],
    [
      'with Cyrillic letters in a name (outside DIN 91379 datatype C)',
      single,
      (x) => x.replace('<name>Schröder</name>', '<name>Шрëдер</name>'),
    ],
    [
      'with an invalid creation time',
      single,
      (x) => x.replace('2026-12-01T09:41:07.250+01:00', '2026-13-01T09:41:07.250+01:00'),
    ],
    [
      'without the required attribute produkthersteller',
      single,
      (x) => x.replace(' produkthersteller="Amtsbote contributors"', ''),
    ],
    [
      'with a second partner',
      family,
      (x) =>
        x.replace(
          /(<xmeld:weitereMitzuziehendePerson>\s*)(<xmeld:partner>[\s\S]*?<\/xmeld:partner>\s*<xmeld:kind>)/,
          (_m, a: string, b: string) => a + b.replace(/<xmeld:kind>$/, '') + b,
        ),
    ],
    [
      'with a fifth nationality',
      single,
      (x) =>
        x.replace(
          /(<xmeld:staatsangehoerigkeit [^>]*>\s*<code>000<\/code>\s*<\/xmeld:staatsangehoerigkeit>)/,
          '$1$1$1$1$1',
        ),
    ],
  ];

  it.each(variants.map(([label, base, change]) => [label, base, change] as const))(
    'rejects a message %s, as the official set does',
    (label, base, change) => {
      const xml = change(base);
      expect(xml, `${label}: the variant must differ from the fixture`).not.toBe(base);
      expect(validateXml(profile, xml).valid, label).toBe(false);
      if (officialSkipReason === undefined) {
        const official = lintOfficial(xml, 'variant.xml');
        expect(official.valid, `${label}: the official set should reject it too`).toBe(false);
      }
    },
  );
});

describe('the official XMeld 26.11 set installed as an official schema set', () => {
  it.skipIf(!hasOfficialXmeld)(
    withSkipReason(
      'compiles in-process through its catalog, takes precedence, and agrees with the profile on the fixtures',
      hasOfficialXmeld ? undefined : `not found at ${officialXmeldDir}`,
    ),
    () => {
      // What `amtsbote schemas add` leaves behind: a set folder whose manifest names root schema and catalog.
      const officialSchemasDir = mkdtempSync(join(tmpdir(), 'amtsbote-official-xmeld-'));
      const setDir = join(officialSchemasDir, 'xmeld', '26.11', '2026-11-25-xrepository');
      mkdirSync(setDir, { recursive: true });
      writeFileSync(
        join(setDir, 'schema-set.json'),
        JSON.stringify({ root: relative(setDir, officialXmeldRoot), catalog: relative(setDir, officialXmeldCatalog) }),
      );
      const official = compileSchemaSet(findSchemaSet({ xsdDir: dirs.xsdDir, officialSchemasDir }, 'xmeld', '26.11'));
      try {
        expect(official.id).toBe('official:2026-11-25-xrepository');
        for (const f of fixtures)
          expect(validateXml(official, f.xml), f.name).toEqual({ valid: true, schemaSet: official.id, errors: [] });
        const broken = single.replace('<code>LD</code>', '<code>XX</code>');
        expect(validateXml(official, broken).valid).toBe(false);
      } finally {
        disposeSchemaSet(official);
      }
    },
  );
});
