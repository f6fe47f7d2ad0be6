/**
 * Shared set-up for the XMeld 26.11 tests: the DVDV identities used in tests (the Meldebehörden as
 * destinations' `leser`, the online service as `autor`), a MappingContext as intake builds it, and xmllint
 * against the official schema set in ../shared/reference/xmeld/26.11 through its XML catalog.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Authority, MappingAttachment, MappingContext, MessageTarget } from '../../src/xoev/index.js';
import { agsUri, projectRoot, referenceDir, type Envelope } from './helpers.js';

export const xmeldTarget: MessageTarget = {
  standard: 'xmeld',
  version: '26.11',
  message: 'onlinedienste.anmeldung.meldeschein.1704',
};
export const xmeldNamespace = 'http://www.osci.de/xmeld2611';

/** The Meldebehörde of each demo municipality, as its routing destination's `leser` (DVDV praefix `ags`). */
export const meldebehoerden: Readonly<Record<string, Authority>> = {
  '146120000000': {
    praefix: 'ags',
    kennung: '14612000',
    kennungListUri: agsUri,
    name: 'Landeshauptstadt Dresden, Bürgeramt, Meldebehörde',
  },
  '147130000000': {
    praefix: 'ags',
    kennung: '14713000',
    kennungListUri: agsUri,
    name: 'Stadt Leipzig, Ordnungsamt, Meldebehörde',
  },
  '145110000000': {
    praefix: 'ags',
    kennung: '14511000',
    kennungListUri: agsUri,
    name: 'Stadt Chemnitz, Bürgerservice, Meldebehörde',
  },
};

/**
 * The online service that writes the Meldeschein (`autor`, `anschrift.autor`): DVDV praefix `mbp`
 * (Meldebehördenportal). The organisation id and contact data are demo values, not a registered DVDV entry.
 */
export const portalAuthor: Authority = {
  praefix: 'mbp',
  kennung: '14000000',
  kennungListUri: 'urn:xoev-de:bund:bmi:bit:codeliste:dvdv.praefix',
  name: 'Amt24 Sachsen, Meldebehördenportal (Demo)',
  erreichbarkeit: [
    { kanal: '01', kennung: 'meldeportal@amt24.example' },
    { kanal: '09', kennung: 'https://amt24.sachsen.de' },
  ],
  anschrift: { strasse: 'Archivstraße', hausnummer: '1', postleitzahl: '01097', ort: 'Dresden' },
};

const regionNames: Record<string, string> = {
  '146120000000': 'Landeshauptstadt Dresden',
  '147130000000': 'Stadt Leipzig',
  '145110000000': 'Stadt Chemnitz',
};

export interface XmeldEnvelope extends Envelope {
  attachments?: { id: string; filename: string; mediaType: string; content?: string }[];
}

/** The attachments of an envelope as intake hands them over: decoded, by id. */
export function attachmentsOf(envelope: XmeldEnvelope): Map<string, MappingAttachment> {
  return new Map(
    (envelope.attachments ?? []).map((a) => [
      a.id,
      { mediaType: a.mediaType, filename: a.filename, content: Buffer.from(a.content ?? '', 'base64') },
    ]),
  );
}

/** A MappingContext as src/intake/produce-messages.ts builds it, with the portal as author and the attachments. */
export function xmeldContextFor(
  envelope: XmeldEnvelope,
  data: unknown = envelope.data,
  createdAt = '2026-12-01T08:41:07.250Z',
): MappingContext {
  const ars = envelope.regionKey;
  const reader = meldebehoerden[ars];
  if (reader === undefined) throw new Error(`no Meldebehörde for region ${ars}`);
  return {
    data,
    envelope: {
      serviceKey: envelope.serviceKey,
      regionKey: ars,
      test: envelope.test ?? false,
      ...(envelope.reference !== undefined ? { reference: envelope.reference } : {}),
    },
    message: { id: '3b0f5a9e-8c1d-4f2a-b6e7-0a1b2c3d4e5f', createdAt },
    region: { ars, ags: ars.slice(0, 5) + ars.slice(9), name: regionNames[ars] ?? 'Gemeinde' },
    author: portalAuthor,
    reader,
    product: { name: 'Amtsbote', vendor: 'Amtsbote contributors', version: '0.1.0' },
    submission: { id: '7d4c2b1a-9e8f-4a6b-8c5d-1e2f3a4b5c6d' },
    attachments: attachmentsOf(envelope),
  };
}

// --- xmllint --------------------------------------------------------------------------------------------

export const officialXmeldDir = join(referenceDir, 'xmeld', '26.11');
export const officialXmeldRoot = join(officialXmeldDir, 'schema', 'xmeld-nachrichten-onlinedienste.xsd');
export const officialXmeldCatalog = join(officialXmeldDir, 'catalog.xml');
export const hasOfficialXmeld = existsSync(officialXmeldRoot) && existsSync(officialXmeldCatalog);
export const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
export const profileXmeldRoot = join(projectRoot, 'xsd', 'xmeld', '26.11', 'xmeld.xsd');

/** Why an xmllint test against the official set cannot run here, or undefined when it can. */
export const officialSkipReason: string | undefined = !hasXmllint
  ? 'xmllint not installed (Debian: apt-get install libxml2-utils)'
  : !hasOfficialXmeld
    ? `official XMeld 26.11 schema set not found at ${officialXmeldDir}`
    : undefined;

export const withSkipReason = (title: string, reason: string | undefined): string =>
  reason === undefined ? title : `${title} — skipped: ${reason}`;

let scratch: string | undefined;
function scratchFile(name: string, xml: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'amtsbote-xmeld-'));
  const file = join(scratch, name);
  writeFileSync(file, xml);
  return file;
}

export interface LintResult {
  valid: boolean;
  output: string;
}

/** xmllint --nonet --noout --schema against the official set, imports resolved through its catalog. */
export function lintOfficial(xml: string, name = 'message.xml'): LintResult {
  const file = scratchFile(name, xml);
  const run = spawnSync('xmllint', ['--nonet', '--noout', '--schema', officialXmeldRoot, file], {
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: officialXmeldCatalog },
  });
  // Two "Skipping import" parser warnings of the XÖV base files are expected; only the result counts.
  return {
    valid: run.status === 0 && run.stderr.includes(`${file} validates`),
    output: run.stderr
      .split('\n')
      .filter((l) => !l.includes('Skipping import'))
      .join('\n'),
  };
}

/** xmllint --nonet --noout --schema against Amtsbote's own profile (relative schemaLocations only). */
export function lintProfile(xml: string, name = 'message.xml'): LintResult {
  const file = scratchFile(name, xml);
  const run = spawnSync('xmllint', ['--nonet', '--noout', '--schema', profileXmeldRoot, file], { encoding: 'utf8' });
  return { valid: run.status === 0, output: run.stderr };
}
