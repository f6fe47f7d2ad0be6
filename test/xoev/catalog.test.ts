import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadCatalog } from '../../src/xoev/xsd/catalog.js';
import { hasReference, needsReference, referenceDir } from './helpers.js';

const ns = 'xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"';

describe('loadCatalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtsbote-cat-'));
  mkdirSync(join(dir, 'base'));
  writeFileSync(
    join(dir, 'catalog.xml'),
    `<catalog ${ns}>
       <uri name="http://x.test/a.xsd" uri="local/a.xsd"/>
       <system systemId="http://x.test/s.xsd" uri="local/s.xsd"/>
       <rewriteURI uriStartString="http://x.test/" rewritePrefix="mirror/"/>
       <rewriteURI uriStartString="http://x.test/deep/" rewritePrefix="deeper/"/>
       <group><uri name="http://x.test/grouped.xsd" uri="g.xsd"/></group>
       <nextCatalog catalog="base/catalog.xml"/>
     </catalog>`,
  );
  writeFileSync(
    join(dir, 'base', 'catalog.xml'),
    `<catalog ${ns}><uri name="http://y.test/b.xsd" uri="b.xsd"/><nextCatalog catalog="../catalog.xml"/></catalog>`,
  );
  const resolve = loadCatalog(join(dir, 'catalog.xml'));

  it('resolves exact uri and system entries relative to the catalog file', () => {
    expect(resolve('http://x.test/a.xsd')).toBe(join(dir, 'local', 'a.xsd'));
    expect(resolve('http://x.test/s.xsd')).toBe(join(dir, 'local', 's.xsd'));
    expect(resolve('http://x.test/grouped.xsd')).toBe(join(dir, 'g.xsd'));
  });

  it('rewrites by the longest matching prefix', () => {
    expect(resolve('http://x.test/other/c.xsd')).toBe(join(dir, 'mirror', 'other', 'c.xsd'));
    expect(resolve('http://x.test/deep/d.xsd')).toBe(join(dir, 'deeper', 'd.xsd'));
  });

  it('asks the next catalogs last, relative to their own folder, and survives a loop', () => {
    expect(resolve('http://y.test/b.xsd')).toBe(join(dir, 'base', 'b.xsd'));
    expect(resolve('http://unknown.test/z.xsd')).toBeUndefined();
  });

  it.skipIf(!hasReference)(needsReference('resolves the XMeld 26.11 catalog chain into the XÖV base schemas'), () => {
    const xmeld = loadCatalog(join(referenceDir, 'xmeld', '26.11', 'catalog.xml'));
    expect(xmeld('http://xoev.de/schemata/code/1_0/xoev-code.xsd')).toBe(
      join(referenceDir, 'xoev-base', 'xoev-code.xsd'),
    );
    expect(xmeld('http://www.osci.de/xinneres/datum/2/xinneres-datum.xsd')).toBe(
      join(referenceDir, 'xmeld', '26.11', 'xinneres', 'datum', '2', 'xinneres-datum.xsd'),
    );
  });
});
