import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, it, expect } from 'vitest';
import {
  addDin91379Keyword,
  checkText,
  din91379Keyword,
  normalizeNfc,
  type Din91379Datatype,
} from '../../src/xoev/index.js';
import { hasReference, needsReference, referenceDir } from './helpers.js';

interface ListEntry {
  group: string;
  string: string;
  acceptedStandaloneBy: Record<'A' | 'B' | 'C' | 'D' | 'E', boolean>;
}

const datatypes: Din91379Datatype[] = ['A', 'B', 'C'];

describe('checkText', () => {
  it('accepts names, places and free text of their datatype', () => {
    expect(checkText('Ørsted-Baumann', 'A')).toBeNull();
    expect(checkText('Łukasz', 'A')).toBeNull();
    expect(checkText("O'Neill", 'A')).toBeNull();
    expect(checkText('Große Ulrichstraße 51', 'B')).toBeNull();
    expect(checkText('Zeile 1\nZeile 2\tmit Tab\r\n', 'C')).toBeNull();
    expect(checkText('', 'A')).toBeNull();
  });

  it('keeps digits and N2 signs out of datatype A, and control characters out of A and B', () => {
    expect(checkText('Müller1', 'A')?.detail).toContain('character 7 is U+0031');
    expect(checkText('Müller1', 'B')).toBeNull();
    expect(checkText('A&B', 'A')).not.toBeNull();
    expect(checkText('Hauptstraße\t1', 'B')?.detail).toContain('U+0009');
    expect(checkText('x\ny', 'A')).not.toBeNull();
  });

  it('refuses what DIN 91379 does not list: Cyrillic, Greek, emoji, the E1 quotes', () => {
    expect(checkText('Иван', 'C')?.detail).toBe(
      'character 1 is U+0418, which DIN 91379 datatype C (free text) does not allow',
    );
    expect(checkText('Ωmega', 'B')).not.toBeNull();
    expect(checkText('Café 🙂', 'C')?.detail).toContain('character 6 is U+1F642');
    expect(checkText('„Zitat“', 'C')).not.toBeNull();
  });

  it('accepts combining marks only inside the enumerated letter sequences', () => {
    expect(checkText('L\u0325\u0304', 'A')).toBeNull(); // L̥̄, a listed three-code-point sequence
    expect(checkText('C\u0328\u0306ek', 'A')).toBeNull(); // C̨̆ at the start
    expect(checkText('X\u0301', 'C')?.detail).toContain('U+0301 (a combining mark');
    expect(checkText('\u0301', 'C')).not.toBeNull();
  });

  it('refuses decomposed text, as the official XSD types do, and accepts it once NFC-normalised', () => {
    const decomposed = 'Jose\u0301';
    expect(checkText(decomposed, 'A')).not.toBeNull();
    expect(checkText(decomposed.normalize('NFC'), 'A')).toBeNull();
  });

  it('counts positions in code points, not UTF-16 units', () => {
    expect(checkText('𝔄b€Ж', 'C')?.detail).toContain('character 1 is U+1D504');
    expect(checkText('ab€Ж', 'C')?.detail).toContain('character 4 is U+0416');
  });

  it.skipIf(!hasReference)(needsReference('agrees with the official datatypes on all 930 list entries'), () => {
    const list = JSON.parse(readFileSync(join(referenceDir, 'din91379', 'din91379_2022-08_list_1.3.json'), 'utf8')) as {
      entries: ListEntry[];
    };
    expect(list.entries).toHaveLength(930);
    const mismatches: string[] = [];
    for (const entry of list.entries) {
      for (const dt of datatypes) {
        const accepted = checkText(entry.string, dt) === null;
        if (accepted !== entry.acceptedStandaloneBy[dt])
          mismatches.push(`${entry.group} ${JSON.stringify(entry.string)} ${dt}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('normalizeNfc', () => {
  it('normalises every string of a data object, deeply, and leaves other values alone', () => {
    const input = { a: 'Jose\u0301', list: ['A\u030A', 3, true, null], nested: { b: 'e\u0301' }, n: 7 };
    const out = normalizeNfc(input);
    expect(out).toEqual({ a: 'José', list: ['Å', 3, true, null], nested: { b: 'é' }, n: 7 });
    expect(input.a).toBe('Jose\u0301'); // the input is not modified
  });
});

describe('the x-din91379 ajv keyword', () => {
  const schema = {
    type: 'object',
    properties: {
      familyName: { type: 'string', 'x-din91379': 'A' },
      street: { type: 'string', 'x-din91379': 'B' },
      remarks: { type: 'string', 'x-din91379': 'C' },
      persons: {
        type: 'array',
        items: { type: 'object', properties: { givenNames: { type: 'string', 'x-din91379': 'A' } } },
      },
    },
  };

  it('reports every string outside its datatype with its instancePath', () => {
    const ajv = addDin91379Keyword(new Ajv2020({ allErrors: true, strict: true }));
    const validate = ajv.compile(schema);
    expect(
      validate({
        familyName: 'Müller',
        street: 'Hauptstraße 1',
        remarks: 'a < b & c',
        persons: [{ givenNames: 'Zoë' }],
      }),
    ).toBe(true);
    expect(
      validate({ familyName: 'Müller2', street: 'Straße\t1', persons: [{ givenNames: 'Ok' }, { givenNames: 'Пётр' }] }),
    ).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.keyword])).toEqual([
      ['/familyName', 'x-din91379'],
      ['/street', 'x-din91379'],
      ['/persons/1/givenNames', 'x-din91379'],
    ]);
    expect(validate.errors?.[0]?.message).toContain('datatype A');
  });

  it('is a keyword definition the intake can pass to any ajv, and rejects unknown datatypes in schemas', () => {
    const ajv = new Ajv2020({ strict: true });
    ajv.addKeyword(din91379Keyword);
    expect(() => ajv.compile({ type: 'string', 'x-din91379': 'Z' })).toThrow();
    expect(addDin91379Keyword(ajv)).toBe(ajv); // registering twice is harmless
  });
});
