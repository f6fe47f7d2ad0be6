import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { readYamlFile } from '../../src/config/read-yaml.js';
import { AmtsboteError } from '../../src/lib/errors.js';
import { projectRoot } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-read-yaml-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** Reads `text` as a configuration file would be read. */
function read(text: string): unknown {
  const file = join(dir, `file-${++files}.yaml`);
  writeFileSync(file, text);
  return readYamlFile(file).value;
}

function readError(text: string): AmtsboteError {
  try {
    read(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AmtsboteError);
    return error as AmtsboteError;
  }
  throw new Error('expected the file to be refused');
}

/** What the `yaml` library (the counterpart: the project read its files with it before) makes of `text`. */
function readWithYamlLibrary(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors[0]) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 100 });
}

describe('readYamlFile (js-yaml, YAML 1.2 core schema)', () => {
  it('reads every YAML file the project ships as the yaml library does', () => {
    const shipped = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: projectRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    // config/ (gateway, routing, services), mappings/ and examples/: without them this would check nothing
    expect(shipped.filter((f) => f.startsWith('config/')).length).toBeGreaterThan(10);
    expect(shipped.filter((f) => f.startsWith('mappings/')).length).toBeGreaterThan(10);
    for (const file of shipped) {
      const path = join(projectRoot, file);
      expect({ file, value: readYamlFile(path).value }).toEqual({
        file,
        value: readWithYamlLibrary(readFileSync(path, 'utf8')),
      });
    }
  });

  it('keeps the YAML 1.2 core types: dates, yes/no and on/off stay strings, octal and hex are numbers', () => {
    const text = [
      'validFrom: 2027-01-01',
      'at: 2027-01-01T00:00:00Z',
      'flags: [yes, no, on, off, y, n]',
      'booleans: [true, false, True, FALSE]',
      'nulls: [null, ~, Null, ""]',
      'numbers: [12, -3, 0o17, 0x1F, 1.5, 1e3, .inf]',
      'leading: 017',
      'kennung: "14612000"',
      'plain: 14612000',
    ].join('\n');
    const value = read(text);
    expect(value).toEqual({
      validFrom: '2027-01-01',
      at: '2027-01-01T00:00:00Z',
      flags: ['yes', 'no', 'on', 'off', 'y', 'n'],
      booleans: [true, false, true, false],
      nulls: [null, null, null, ''],
      numbers: [12, -3, 15, 31, 1.5, 1000, Infinity],
      leading: 17,
      kennung: '14612000',
      plain: 14612000,
    });
    expect(value).toEqual(readWithYamlLibrary(text));
  });

  it('refuses a duplicate key and a broken flow collection naming file and line, and a second document', () => {
    for (const [text, why] of [
      ['a: 1\nb: 2\na: 3\n', /duplicated mapping key \(3:1\)/],
      ['destinations: [\n  - broken', /\(\d+:\d+\)/],
      ['a: 1\n---\nb: 2\n', /single document/],
    ] as const) {
      const error = readError(text);
      expect(error.code).toBe('invalid-config');
      expect(error.message).toMatch(/file-\d+\.yaml: \/: is not valid YAML: /);
      expect(error.message).toMatch(why);
    }
  });

  it('takes anchors and aliases as a configuration uses them', () => {
    expect(read('retry: &retry { maxAttempts: 5 }\nother: *retry\n')).toEqual({
      retry: { maxAttempts: 5 },
      other: { maxAttempts: 5 },
    });
  });

  it('refuses aliases that would expand the file beyond a million values, without expanding them', () => {
    // Ten levels of ten aliases each: 10^10 values as a tree, a few hundred bytes as text.
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 10; level++) {
      const previous = `*a${level - 1}`;
      lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => previous).join(', ')}]`);
    }
    const error = readError(lines.join('\n'));
    expect(error.message).toContain('its aliases expand it to more than 1000000 values');
  });
});
