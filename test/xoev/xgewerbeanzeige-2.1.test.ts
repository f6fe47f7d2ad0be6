import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSchemaSet, disposeSchemaSet } from '../../src/xoev/xsd/compile-schema-set.js';
import { findSchemaSet } from '../../src/xoev/xsd/find-schema-set.js';
import { loadXoev, normalizeNfc, produceMessage, validateXml } from '../../src/xoev/index.js';
import {
  contextFor,
  dirs,
  examples,
  hasReference,
  needsReference,
  projectRoot,
  referenceDir,
  services,
} from './helpers.js';

const kosit = (version: string, name: string): string =>
  readFileSync(join(referenceDir, 'xgewerbeanzeige', version, 'examples', name), 'utf8');
const profile21 = compileSchemaSet(findSchemaSet({ xsdDir: dirs.xsdDir }, 'xgewerbeanzeige', '2.1'));
const profile22 = compileSchemaSet(findSchemaSet({ xsdDir: dirs.xsdDir }, 'xgewerbeanzeige', '2.2'));
const xoev = loadXoev(dirs);
afterAll(() => {
  disposeSchemaSet(profile21);
  disposeSchemaSet(profile22);
  xoev.close();
});

describe('the XGewerbeanzeige 2.1 profile schema', () => {
  it("is the project's own, unofficial profile beside 2.2", () => {
    expect(profile21.id).toBe('amtsbote-profile:xgewerbeanzeige/2.1');
    expect(readFileSync(join(projectRoot, 'xsd', 'xgewerbeanzeige', '2.1', 'xgewerbeanzeige.xsd'), 'utf8')).toMatch(
      /<xs:documentation>Unofficial Amtsbote profile of XGewerbeanzeige 2\.1/,
    );
  });

  it.skipIf(!hasReference)(needsReference("accepts KoSIT's valid 2.1 message"), () => {
    expect(validateXml(profile21, kosit('2.1', 'xgwa2.1-valid.xml'))).toEqual({
      valid: true,
      schemaSet: 'amtsbote-profile:xgewerbeanzeige/2.1',
      errors: [],
    });
  });

  it.skipIf(!hasReference)(
    needsReference("rejects KoSIT's invalid-xsd 2.1 message, whose first satz lacks satzErstellung"),
    () => {
      const result = validateXml(profile21, kosit('2.1', 'xgwa2.1-invalid-xsd.xml'));
      expect(result.valid).toBe(false);
      expect(result.errors[0]?.message).toMatch(/satzErstellung/);
      expect(result.errors[0]?.xmlPath).toMatch(/satz(\[1\])?\/xga:anmeldung/);
    },
  );

  it.skipIf(!hasReference)(
    needsReference("differs from 2.2 where the versions differ: neither profile takes the other version's message"),
    () => {
      expect(validateXml(profile22, kosit('2.1', 'xgwa2.1-valid.xml')).valid).toBe(false);
      expect(validateXml(profile21, kosit('2.2', 'xgwa2.2-valid.xml')).valid).toBe(false);
      // Same content, only the namespace and version moved to 2.1: 2.2's coded nationSchluessel is refused.
      const moved = kosit('2.2', 'xgwa2.2-valid.xml')
        .replaceAll('spezifikation/2.2', 'spezifikation/2.1')
        .replace('version="2.2"', 'version="2.1"');
      const result = validateXml(profile21, moved);
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => e.message).join(' ')).toMatch(/nationSchluessel/);
    },
  );
});

describe.each(services)('%s mapped to XGewerbeanzeige 2.1', (service) => {
  const valid = examples(service).filter((e) => e.valid);
  it.each(valid.map((e) => [e.name, e] as const))(
    '%s gives a valid 2.1 message with nation as text',
    async (_name, example) => {
      const target = { standard: 'xgewerbeanzeige', version: '2.1', message: 'alg.gewerbemeldung.0300' };
      const out = await produceMessage(
        xoev,
        target,
        contextFor(example.envelope, target, normalizeNfc(example.envelope.data)),
      );
      expect(out.schemaSet).toBe('amtsbote-profile:xgewerbeanzeige/2.1');
      expect(out.content).toContain('xmlns:xga="http://www.xgewerbeanzeige.de/spezifikation/2.1"');
      expect(out.content).toContain('version="2.1"');
      expect(out.content).toMatch(/<xga:nationSchluessel>276<\/xga:nationSchluessel>/);
      // …and the same data for 2.2 carry it as a code: one submission, two versions.
      const out22 = await produceMessage(
        xoev,
        { ...target, version: '2.2' },
        contextFor(example.envelope, { ...target, version: '2.2' }, normalizeNfc(example.envelope.data)),
      );
      expect(out22.content).toMatch(
        /<xga:nationSchluessel listVersionID="2">\s*<code>276<\/code>\s*<\/xga:nationSchluessel>/,
      );
    },
  );
});
