import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireSchemaSet, loadXoev, releaseSchemaSet, validateXml } from '../../src/xoev/index.js';
import type { SchemaSetSource } from '../../src/xoev/xsd/compile-schema-set.js';
import { compileXsdCheck } from '../../src/sources/fitconnect/inbound-mapping-schema-check.js';
import { dirs } from './helpers.js';

/**
 * Compiled XSD sets are shared by whoever needs the same one (issue 26: `config check` compiled XGewerbeanzeige 2.2
 * twice, a reload every set again): counted holders, freed by the last, handed out again only while the files
 * it was compiled from are unchanged.
 */
const dir = mkdtempSync(join(tmpdir(), 'amtsbote-shared-sets-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const schema = (maxLength: number) => `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="Short"><xs:restriction base="xs:string"><xs:maxLength value="${maxLength}"/></xs:restriction></xs:simpleType>
</xs:schema>`;
const root = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:include schemaLocation="types.xsd"/>
  <xs:element name="name" type="Short"/>
</xs:schema>`;

let sets = 0;
/** A set of two files in a folder of its own: a root that includes the type it declares its element with. */
function setOnDisk(maxLength: number): { source: SchemaSetSource; include: string } {
  const folder = mkdtempSync(join(dir, `set-${++sets}-`));
  writeFileSync(join(folder, 'root.xsd'), root);
  writeFileSync(join(folder, 'types.xsd'), schema(maxLength));
  return {
    source: {
      id: `test:${sets}`,
      kind: 'amtsbote-profile',
      standard: 'test',
      version: '1',
      rootFile: join(folder, 'root.xsd'),
    },
    include: join(folder, 'types.xsd'),
  };
}
const valid = (set: ReturnType<typeof acquireSchemaSet>, text: string) =>
  validateXml(set, `<?xml version="1.0"?><name>${text}</name>`).valid;

describe('shared schema sets', () => {
  it('hands the same compiled set to a second holder, which keeps it after the first one releases it', () => {
    const { source } = setOnDisk(5);
    const first = acquireSchemaSet(source);
    const second = acquireSchemaSet(source);
    expect(second).toBe(first);
    releaseSchemaSet(first);
    // Still compiled for the second holder (freed memory would not validate, or crash).
    expect(valid(second, 'Anna')).toBe(true);
    expect(valid(second, 'Annabell')).toBe(false);
    releaseSchemaSet(second);
    // The last holder let go: it is no longer handed out, the next one compiles anew.
    const third = acquireSchemaSet(source);
    expect(third).not.toBe(first);
    expect(valid(third, 'Anna')).toBe(true);
    releaseSchemaSet(third);
  });

  it('compiles anew when an included file changed, and the holder of the old set keeps the old rules', () => {
    const { source, include } = setOnDisk(5);
    const before = acquireSchemaSet(source);
    writeFileSync(include, schema(10));
    const after = acquireSchemaSet(source);
    expect(after).not.toBe(before);
    expect(valid(after, 'Annabell')).toBe(true);
    expect(valid(before, 'Annabell')).toBe(false);
    // A third holder gets the new one.
    const again = acquireSchemaSet(source);
    expect(again).toBe(after);
    for (const set of [before, after, again]) releaseSchemaSet(set);
  });

  it('survives a reload: the next XÖV set takes the sets of the one it replaces, which is closed after', () => {
    const running = loadXoev(dirs);
    const reloaded = loadXoev(dirs);
    expect(reloaded.schemaSets.size).toBeGreaterThan(0);
    for (const [key, set] of reloaded.schemaSets) expect(running.schemaSets.get(key)).toBe(set);
    running.close();
    running.close(); // closing twice takes nothing from the other holder
    const xga = reloaded.schemaSets.get('xgewerbeanzeige/2.2');
    expect(xga).toBeDefined();
    if (xga) expect(validateXml(xga, '<?xml version="1.0"?><nothing/>').valid).toBe(false);
    // What the reloaded set holds still validates; a fresh load still shares it.
    const third = loadXoev(dirs);
    expect(third.schemaSets.get('xgewerbeanzeige/2.2')).toBe(xga);
    third.close();
    reloaded.close();
  });

  it("is shared by an inbound mapping's XSD check and the XÖV layer, each releasing its own hold once", () => {
    const xoev = loadXoev(dirs);
    const check = compileXsdCheck(
      { standard: 'xgewerbeanzeige', version: '2.2', dirs: { xsdDir: dirs.xsdDir } },
      'inbound.yaml',
      'urn:test',
    );
    check.close();
    check.close();
    const xga = xoev.schemaSets.get('xgewerbeanzeige/2.2');
    expect(xga).toBeDefined();
    if (xga) expect(validateXml(xga, '<?xml version="1.0"?><nothing/>').errors.length).toBeGreaterThan(0);
    const again = loadXoev(dirs);
    expect(again.schemaSets.get('xgewerbeanzeige/2.2')).toBe(xga);
    again.close();
    xoev.close();
  });
});
