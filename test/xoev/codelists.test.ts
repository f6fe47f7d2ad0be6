import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { codeName, findCodeList, hasCode, loadCodeLists } from '../../src/xoev/index.js';
import { compareVersions } from '../../src/xoev/codelists/lookup.js';
import { parseGenericode } from '../../src/xoev/codelists/parse-genericode.js';
import { dirs, hasReference, needsReference, referenceDir } from './helpers.js';

const xga = 'urn:xoev-de:xgewerbeanzeige:codeliste:';

function genericode(uri: string, version: string, rows: [string, string][], unofficial: boolean): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/" xmlns:amtsbote="https://amtsbote.dev/ns/codelist">
  ${unofficial ? '<Annotation><Description><amtsbote:unofficial>test</amtsbote:unofficial></Description></Annotation>' : ''}
  <Identification><ShortName>t</ShortName><Version>${version}</Version><CanonicalUri>${uri}</CanonicalUri><CanonicalVersionUri>${uri}_${version}</CanonicalVersionUri></Identification>
  <ColumnSet>
    <Column Id="schluessel" Use="required"><ShortName>schluessel</ShortName><Data Type="string"/></Column>
    <Column Id="Beschreibung" Use="required"><ShortName>Beschreibung</ShortName><Data Type="string"/></Column>
    <Key Id="k"><ShortName>k</ShortName><ColumnRef Ref="schluessel"/></Key>
  </ColumnSet>
  <SimpleCodeList>${rows.map(([c, n]) => `<Row><Value ColumnRef="schluessel"><SimpleValue>${c}</SimpleValue></Value><Value ColumnRef="Beschreibung"><SimpleValue>${n}</SimpleValue></Value></Row>`).join('')}</SimpleCodeList>
</gc:CodeList>`;
}

describe("Amtsbote's code lists in config/codelists", () => {
  const lists = loadCodeLists(dirs.codelistsDir);

  it('are indexed by listURI and listVersionID, with names', () => {
    expect(hasCode(lists, `${xga}geschlecht`, '2')).toBe(true);
    expect(hasCode(lists, `${xga}geschlecht`, '9')).toBe(false);
    expect(codeName(lists, `${xga}artderniederlassung`, '3')).toBe('Unselbständige Zweigstelle');
    expect(findCodeList(lists, `${xga}rechtsformen`)?.version).toBe('5');
    expect(hasCode(lists, `${xga}rechtsformen`, '350', '5')).toBe(true);
    expect(hasCode(lists, `${xga}rechtsformen`, '350', '4')).toBe(false);
    expect(hasCode(lists, 'urn:unknown', '1')).toBe(false);
  });

  it('cover every XGewerbeanzeige list the mappings need, with the versions seen in KoSIT messages', () => {
    const versions = Object.fromEntries(
      [
        'janein',
        'geschlecht',
        'funktioneinerperson',
        'rechtsformen',
        'registergerichte',
        'grundfueranmeldung',
        'grundfuerummeldung',
        'grundfuerabmeldung',
        'ursachefuerabmeldung',
        'artderniederlassung',
        'artdereintragung',
        'unfallversicherungstraeger',
      ].map((n) => [n, findCodeList(lists, xga + n)?.version]),
    );
    expect(versions).toEqual({
      janein: '1',
      geschlecht: '3',
      funktioneinerperson: '1',
      rechtsformen: '5',
      registergerichte: '5',
      grundfueranmeldung: '2',
      grundfuerummeldung: '2',
      grundfuerabmeldung: '2',
      ursachefuerabmeldung: '2',
      artderniederlassung: '1',
      artdereintragung: '2',
      unfallversicherungstraeger: '2',
    });
    expect(findCodeList(lists, 'urn:xoev-de:bund:bmi:bit:codeliste:dvdv.praefix')?.codes.has('MELDID')).toBe(true);
  });

  it('all say they are unofficial excerpts', () => {
    for (const name of readdirSync(dirs.codelistsDir).filter((n) => n.endsWith('.xml'))) {
      const list = parseGenericode(readFileSync(join(dirs.codelistsDir, name), 'utf8'), name);
      expect(list.unofficial, name).toBe(true);
    }
  });
});

describe('loading code lists', () => {
  it('lets an official file replace our excerpt of the same list and version, and keeps other versions side by side', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-cl-'));
    writeFileSync(join(dir, 'a-ours.xml'), genericode('urn:t:list', '2', [['01', 'ours']], true));
    writeFileSync(
      join(dir, 'b-official.xml'),
      genericode(
        'urn:t:list',
        '2',
        [
          ['01', 'official'],
          ['02', 'more'],
        ],
        false,
      ),
    );
    writeFileSync(join(dir, 'c-newer.xml'), genericode('urn:t:list', '11', [['03', 'newest']], false));
    const lists = loadCodeLists(dir);
    expect(codeName(lists, 'urn:t:list', '01', '2')).toBe('official');
    expect(findCodeList(lists, 'urn:t:list')?.version).toBe('11'); // numeric: 11 > 2
    expect(hasCode(lists, 'urn:t:list', '03')).toBe(true);
  });

  it('refuses the same list and version twice from equal sources, and files that are not genericode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtsbote-cl-'));
    writeFileSync(join(dir, 'a.xml'), genericode('urn:t:list', '1', [['01', 'x']], false));
    writeFileSync(join(dir, 'b.xml'), genericode('urn:t:list', '1', [['01', 'y']], false));
    expect(() => loadCodeLists(dir)).toThrow(/already loaded/);
    const other = mkdtempSync(join(tmpdir(), 'amtsbote-cl-'));
    writeFileSync(join(other, 'x.xml'), '<notalist/>');
    expect(() => loadCodeLists(other)).toThrow(/not a genericode CodeList/);
  });

  it('orders versions as numbers when numeric, else as text (ISO dates)', () => {
    expect(compareVersions('5', '11')).toBeLessThan(0);
    expect(compareVersions('2.4', '2.10')).toBeLessThan(0);
    expect(compareVersions('2019-05-31', '2026-04-30')).toBeLessThan(0);
  });

  it.skipIf(!hasReference)(
    needsReference('reads official XRepository genericode files (key column from the Key element)'),
    () => {
      const list = parseGenericode(
        readFileSync(join(referenceDir, 'codelists', 'dvdv.praefix_51.xml'), 'utf8'),
        'dvdv.praefix_51.xml',
      );
      expect(list).toMatchObject({
        uri: 'urn:xoev-de:bund:bmi:bit:codeliste:dvdv.praefix',
        version: '51',
        unofficial: false,
      });
      expect(list.codes.get('MELDID')).toBe('Statistische Landesämter / Statistisches Bundesamt');
      const nat = parseGenericode(
        readFileSync(join(referenceDir, 'codelists', 'staatsangehoerigkeit_2024-08-01.xml'), 'utf8'),
        'nat',
      );
      expect(nat.codes.get('332')).toBe('chilenisch');
    },
  );
});
