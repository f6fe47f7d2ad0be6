/**
 * Mapped + validated XGewerbeanzeige messages per second, the in-request cost of the XÖV step.
 * Run by hand (never part of pass/fail):  npx vitest bench --run bench/mapping.bench.ts
 * vitest prints `hz` = operations per second for each case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, bench, describe } from 'vitest';
import {
  buildMessage,
  loadXoev,
  normalizeNfc,
  produceMessage,
  validateXml,
  type MappingContext,
  type MessageTarget,
} from '../src/xoev/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const xoev = loadXoev({
  mappingsDir: join(root, 'mappings'),
  xsdDir: join(root, 'xsd'),
  codelistsDir: join(root, 'config', 'codelists'),
});
afterAll(() => {
  xoev.close();
});

const envelope = JSON.parse(readFileSync(join(root, 'examples', 'gewerbeanmeldung', 'leipzig-gmbh.json'), 'utf8')) as {
  serviceKey: string;
  regionKey: string;
  data: unknown;
};
const authority = {
  praefix: 'MELDID',
  kennung: '14713000',
  kennungListUri: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags',
  name: 'Stadt Leipzig, Gewerbeamt',
};
const context: MappingContext = {
  data: normalizeNfc(envelope.data),
  envelope: { serviceKey: envelope.serviceKey, regionKey: envelope.regionKey, test: false },
  message: { id: '6f1c2a8e-0c57-4d7a-9a43-2f6f7d0d8b11', createdAt: '2026-03-02T10:15:00+01:00' },
  region: { ars: envelope.regionKey, ags: '14713000', name: 'Stadt Leipzig' },
  author: authority,
  reader: authority,
  product: { name: 'Amtsbote', vendor: 'Amtsbote', version: '0.1.0' },
};
const alg: MessageTarget = { standard: 'xgewerbeanzeige', version: '2.2', message: 'alg.gewerbemeldung.0300' };
const sta: MessageTarget = { ...alg, message: 'sta.gewerbemeldung.0100' };
const set = xoev.schemaSets.get('xgewerbeanzeige/2.2');
if (set === undefined) throw new Error('schema set not loaded');
const xml = (await buildMessage(xoev.mappings, alg, context, xoev.codeLists)).xml;
console.log(`message size: ${Buffer.byteLength(xml)} bytes (Gewerbeanmeldung, two persons, alg)`);
// Warm the JIT first, so the first case is not charged for it.
for (let i = 0; i < 300; i++) await produceMessage(xoev, i % 2 === 0 ? alg : sta, context);
const options = { time: 2000, warmupIterations: 50 };

describe('XGewerbeanzeige 2.2 Gewerbeanmeldung', () => {
  bench(
    'map + validate (alg.gewerbemeldung.0300)',
    async () => {
      await produceMessage(xoev, alg, context);
    },
    options,
  );
  bench(
    'map + validate (sta.gewerbemeldung.0100)',
    async () => {
      await produceMessage(xoev, sta, context);
    },
    options,
  );
  bench(
    'map only (alg)',
    async () => {
      await buildMessage(xoev.mappings, alg, context, xoev.codeLists);
    },
    options,
  );
  bench(
    'validate only (alg)',
    () => {
      validateXml(set, xml);
    },
    options,
  );
});
