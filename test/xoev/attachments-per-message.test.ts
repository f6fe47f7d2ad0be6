/**
 * A mapping says which of the submission's attachments travel with each of its messages (`attachments:
 * {<message>: all | none | {purposes: [...]}}`), checked when the mappings are loaded.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappings } from '../../src/xoev/index.js';
import { dirs } from './helpers.js';

function mappingDir(attachments: string): string {
  const root = mkdtempSync(join(tmpdir(), 'amtsbote-att-'));
  const dir = join(root, 'extstd', '1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'm.yaml'),
    `
standard: extstd
version: "1"
services: ["99999999999998"]
messages: [alg.ext.0001, sta.ext.0001]
${attachments}
namespaces:
  t: "urn:ext"
root:
  prefix: t
  children:
    - element: t:id
      const: x
`,
  );
  return root;
}

describe('attachments per message in a mapping', () => {
  it('names the messages that carry none; a message not named carries all', () => {
    const [mapping] = loadMappings(mappingDir('attachments:\n  sta.ext.0001: none\n  alg.ext.0001: all')).mappings;
    expect(Object.fromEntries(mapping!.attachments)).toEqual({ 'sta.ext.0001': 'none', 'alg.ext.0001': 'all' });
    expect(loadMappings(mappingDir('')).mappings[0]!.attachments.size).toBe(0);
  });

  it("selects by purpose: {purposes: [...]} with FIT-Connect's words", () => {
    const [mapping] = loadMappings(mappingDir('attachments:\n  sta.ext.0001: { purposes: [form, report] }')).mappings;
    expect(mapping!.attachments.get('sta.ext.0001')).toEqual({ purposes: ['form', 'report'] });
  });

  it('refuses an unknown purpose, an empty list and other keys at load time, naming the file and the path', () => {
    const unknown = () => loadMappings(mappingDir('attachments:\n  sta.ext.0001: { purposes: [form, scan] }'));
    expect(unknown).toThrow(/m\.yaml/);
    expect(unknown).toThrow('/attachments/sta.ext.0001/purposes/1 must be one of form, attachment, report');
    expect(() => loadMappings(mappingDir('attachments:\n  sta.ext.0001: { purposes: [] }'))).toThrow(
      '/attachments/sta.ext.0001/purposes must name at least one purpose',
    );
    expect(() => loadMappings(mappingDir('attachments:\n  sta.ext.0001: { purposes: [form], media: [pdf] }'))).toThrow(
      /\/attachments\/sta\.ext\.0001 .*media/,
    );
  });

  it('is refused at load time for a message the mapping does not produce, and for a value other than all or none', () => {
    expect(() => loadMappings(mappingDir('attachments:\n  sta.ext.0002: none'))).toThrow(
      /attachments.*does not produce/s,
    );
    expect(() => loadMappings(mappingDir('attachments:\n  sta.ext.0001: some'))).toThrow(
      '/attachments/sta.ext.0001 must be all, none or {purposes: [...]}',
    );
  });

  it("the shipped Gewerbe mappings give the statistics office's message none and the others all", () => {
    const gewerbe = loadMappings(dirs.mappingsDir).mappings.filter(
      (m) => m.standard === 'xgewerbeanzeige' && m.messages.includes('sta.gewerbemeldung.0100'),
    );
    expect(gewerbe.length).toBeGreaterThanOrEqual(2);
    for (const m of gewerbe)
      expect(Object.fromEntries(m.attachments), m.file).toEqual({ 'sta.gewerbemeldung.0100': 'none' });
  });
});
