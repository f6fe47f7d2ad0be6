/** Shared set-up for the XÖV tests: project paths, the reference folder, and message contexts. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Authority, MappingContext, MessageTarget } from '../../src/xoev/index.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const referenceDir = join(projectRoot, '..', 'shared', 'reference');
export const hasReference = existsSync(referenceDir);
/** A test title that says why the test is skipped where the shared reference material is not beside the project. */
export const needsReference = (title: string): string =>
  hasReference ? title : `${title} — skipped: reference material not found at ${referenceDir}`;

export const dirs = {
  mappingsDir: join(projectRoot, 'mappings'),
  xsdDir: join(projectRoot, 'xsd'),
  codelistsDir: join(projectRoot, 'config', 'codelists'),
};

export const agsUri = 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags';

const regionNames: Record<string, string> = {
  '146120000000': 'Landeshauptstadt Dresden',
  '147130000000': 'Stadt Leipzig',
  '145110000000': 'Stadt Chemnitz',
};

/** The recipient identities used in tests, one per recipient class. */
export function readerFor(recipient: string, ags: string): Authority {
  switch (recipient) {
    case 'sta':
      return {
        praefix: 'xga',
        kennung: '140000000000',
        kennungListUri: 'urn:xoev-de:xgewerbeanzeige:codeliste:weiterekommunikationspartner',
        name: 'Statistisches Landesamt des Freistaates Sachsen',
      };
    case 'abh':
      return {
        praefix: 'azr',
        kennung: '000100',
        kennungListUri: 'urn:de:xauslaender:codelist:abhkennung',
        name: 'Ausländerbehörde',
      };
    default:
      return { praefix: 'MELDID', kennung: ags, kennungListUri: agsUri, name: 'Gewerbeamt' };
  }
}

export interface Envelope {
  serviceKey: string;
  regionKey: string;
  reference?: string;
  test?: boolean;
  data: unknown;
}

export function contextFor(envelope: Envelope, target: MessageTarget, data: unknown = envelope.data): MappingContext {
  const ars = envelope.regionKey;
  const ags = ars.slice(0, 5) + ars.slice(9);
  const [recipient = 'alg'] = target.message.split('.');
  return {
    data,
    envelope: {
      serviceKey: envelope.serviceKey,
      regionKey: ars,
      test: envelope.test ?? false,
      ...(envelope.reference !== undefined ? { reference: envelope.reference } : {}),
    },
    message: { id: '6f1c2a8e-0c57-4d7a-9a43-2f6f7d0d8b11', createdAt: '2026-03-02T10:15:00+01:00' },
    region: { ars, ags, name: regionNames[ars] ?? 'Gemeinde' },
    author: {
      praefix: 'MELDID',
      kennung: ags,
      kennungListUri: agsUri,
      name: `${regionNames[ars] ?? 'Gemeinde'}, Gewerbeamt`,
    },
    reader: readerFor(recipient, ags),
    product: { name: 'Amtsbote', vendor: 'Amtsbote contributors', version: '0.1.0' },
    submission: { id: '0b7f3c55-2b1e-4a8e-8a3e-9d2a1f6c4e77' },
  };
}

export const services = ['gewerbeanmeldung', 'gewerbeummeldung', 'gewerbeabmeldung'] as const;

/** Every example envelope of a service: `valid` ones and `invalid` ones (by file name). */
export function examples(service: string): { name: string; envelope: Envelope; valid: boolean }[] {
  const dir = join(projectRoot, 'examples', service);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json') && n !== 'expectations.json')
    .sort()
    .map((name) => ({
      name,
      envelope: JSON.parse(readFileSync(join(dir, name), 'utf8')) as Envelope,
      valid: !name.includes('invalid'),
    }));
}

export const target = (message: string): MessageTarget => ({ standard: 'xgewerbeanzeige', version: '2.2', message });
