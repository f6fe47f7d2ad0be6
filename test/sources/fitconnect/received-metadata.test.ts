import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { sha512 } from '../../../src/lib/sha512.js';
import { metadataVersionOf, readReceivedMetadata } from '../../../src/sources/fitconnect/received-metadata.js';
import { hasReference, referenceDir } from '../../helpers/paths.js';

const hash = (text: string) => ({ type: 'sha512', content: sha512(Buffer.from(text)) });
const uuid = '6b1f4c4e-0d0e-4c65-9f3c-2a0f1b7e9d11';

function metadata(version: '1.0.0' | '2.1.0'): Record<string, unknown> {
  return {
    ...(version === '1.0.0'
      ? {}
      : { $schema: `https://schema.fitko.de/fit-connect/metadata/${version}/metadata.schema.json` }),
    contentStructure: {
      data: {
        hash: hash('<a/>'),
        submissionSchema: { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/xml' },
      },
      attachments: [
        {
          attachmentId: uuid,
          hash: hash('pdf'),
          purpose: 'attachment',
          mimeType: 'application/pdf',
          filename: 'a.pdf',
        },
      ],
    },
    replyChannel: { eMail: { address: 'antrag@example.org' } },
    someFutureMember: { kept: true },
  };
}

/** Changes that make a document invalid against the published schema of its version, and against ours. */
const breakages: [string, (m: Record<string, unknown>) => void][] = [
  ['no contentStructure', (m) => delete m.contentStructure],
  ['an unknown purpose', (m) => (attachment(m).purpose = 'selfie')],
  ['an upper-case hash', (m) => (attachment(m).hash = { type: 'sha512', content: 'A'.repeat(128) })],
  ['a hash of another type', (m) => (attachment(m).hash = { type: 'sha256', content: 'a'.repeat(128) })],
  ['an attachment id that is no UUID', (m) => (attachment(m).attachmentId = 'anlage-1')],
  ['a media type without a slash', (m) => (attachment(m).mimeType = 'pdf')],
  ['no attachments list', (m) => delete structure(m).attachments],
  [
    'a data schema of another media type',
    (m) => (data(m).submissionSchema = { schemaUri: 'urn:x', mimeType: 'text/plain' }),
  ],
  [
    'a data schema URI that is no URI',
    (m) => (data(m).submissionSchema = { schemaUri: 'no uri', mimeType: 'application/xml' }),
  ],
  ['data without hash', (m) => delete data(m).hash],
];

const structure = (m: Record<string, unknown>) => m.contentStructure as Record<string, unknown>;
const attachment = (m: Record<string, unknown>) => (structure(m).attachments as Record<string, unknown>[])[0] ?? {};
const data = (m: Record<string, unknown>) => structure(m).data as Record<string, unknown>;

describe('received metadata: versions', () => {
  it('reads the version from $schema; none is 1.0.0; anything else has none', () => {
    expect(metadataVersionOf(metadata('2.1.0'))).toBe('2.1.0');
    expect(metadataVersionOf(metadata('1.0.0'))).toBe('1.0.0');
    expect(
      metadataVersionOf({ $schema: 'https://schema.fitko.de/fit-connect/metadata/2.1/metadata.schema.json' }),
    ).toBe(undefined);
    expect(metadataVersionOf({ $schema: 42 })).toBe(undefined);
  });

  it('takes the majors it has rules for, or exactly the versions a destination lists', () => {
    const v3 = {
      ...metadata('2.1.0'),
      $schema: 'https://schema.fitko.de/fit-connect/metadata/3.0.0/metadata.schema.json',
    };
    expect(readReceivedMetadata(v3)).toMatchObject({ ok: false, reason: 'metadata-version-unsupported' });
    expect(readReceivedMetadata(metadata('2.1.0'), ['2.0.0'])).toMatchObject({
      ok: false,
      reason: 'metadata-version-unsupported',
    });
    expect(readReceivedMetadata(metadata('2.1.0'), ['2.1.0'])).toMatchObject({ ok: true, version: '2.1.0' });
  });

  it('keeps members it does not know, as the published schemas allow them', () => {
    const reading = readReceivedMetadata(metadata('2.1.0'));
    expect(reading).toMatchObject({ ok: true, metadata: { someFutureMember: { kept: true } } });
  });

  it('2.x requires the data; 1.x does not, and has no purpose "data"', () => {
    const v2 = metadata('2.1.0');
    delete structure(v2).data;
    expect(readReceivedMetadata(v2)).toMatchObject({ ok: false, reason: 'metadata-schema-violation' });
    const v1 = metadata('1.0.0');
    delete structure(v1).data;
    expect(readReceivedMetadata(v1)).toMatchObject({ ok: true, version: '1.0.0' });
    const v1WithData = metadata('1.0.0');
    attachment(v1WithData).purpose = 'data';
    expect(readReceivedMetadata(v1WithData)).toMatchObject({ ok: false, reason: 'metadata-schema-violation' });
  });
});

describe.skipIf(!hasReference)(
  "received metadata agrees with FIT-Connect's published schemas (skipped: ../shared/reference is not there)",
  () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const published = (version: string) =>
      ajv.compile(
        JSON.parse(readFileSync(join(referenceDir, `fit-connect/metadata-${version}.schema.json`), 'utf8')) as object,
      );
    // compiled only where the reference is there: a skipped describe's body still runs when the tests are collected
    const validators = hasReference ? { '1.0.0': published('1.0.0'), '2.1.0': published('2.1.0') } : undefined;

    for (const version of ['1.0.0', '2.1.0'] as const) {
      it(`${version}: a valid document is valid for both`, () => {
        const document = metadata(version);
        expect(validators?.[version](document)).toBe(true);
        expect(readReceivedMetadata(document)).toMatchObject({ ok: true, version });
      });

      it.each(breakages)(`${version}: %s is refused by both`, (_name, breakIt) => {
        const document = metadata(version);
        breakIt(document);
        expect(validators?.[version](document)).toBe(false);
        expect(readReceivedMetadata(document)).toMatchObject({ ok: false, reason: 'metadata-schema-violation' });
      });
    }
  },
);
