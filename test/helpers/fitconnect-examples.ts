import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OnlineServiceOptions } from '../fixtures/fitconnect-simulator/online-service.js';
import { examplesDir } from './paths.js';

/** The example FIT-Connect submissions under examples/fitconnect/, one folder each (see its README). */
export const fitConnectExamplesDir = join(examplesDir, 'fitconnect');

export const fitConnectExampleFolders = (): string[] =>
  readdirSync(fitConnectExamplesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

interface ExampleMetadata {
  contentStructure: {
    data: { submissionSchema: { schemaUri: string; mimeType: string } };
    attachments: { attachmentId: string; purpose: string; mimeType: string; filename: string }[];
  };
  additionalReferenceInfo?: { senderReference?: string };
}

/**
 * What the simulator's online service (`sim.sendAsOnlineService(destinationId, options)`) needs to send an example
 * as a real sender would: the data with their schema, each attachment with its media type, purpose and file name,
 * the sender's reference. The simulator writes the metadata itself (hashes over the same bytes, its own attachment
 * ids), so the example's metadata.json is what it looks like, not what is sent verbatim.
 */
export function onlineServiceOptions(
  folder: string,
  service: { name: string; identifier: string },
): OnlineServiceOptions {
  const dir = join(fitConnectExamplesDir, folder);
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as ExampleMetadata;
  const dataFile = readdirSync(dir).find((f) => f.startsWith('data.'));
  if (dataFile === undefined) throw new Error(`${dir} holds no data file`);
  const { schemaUri, mimeType } = metadata.contentStructure.data.submissionSchema;
  return {
    service,
    data: { content: readFileSync(join(dir, dataFile)), mimeType, schemaUri },
    attachments: metadata.contentStructure.attachments.map((a) => ({
      content: readFileSync(join(dir, a.filename)),
      mediaType: a.mimeType,
      purpose: a.purpose,
      filename: a.filename,
    })),
    ...(metadata.additionalReferenceInfo?.senderReference === undefined
      ? {}
      : { senderReference: metadata.additionalReferenceInfo.senderReference }),
  };
}

/**
 * The Leipzig Gewerbeanmeldung of examples/fitconnect/ as the e2e tests send it through the simulator's online
 * service: the XGewerbeanzeige 2.2 data and the register extract, nothing else (the simulator's default service).
 */
export const leipzigGewerbeanmeldung = (() => {
  const dir = join(fitConnectExamplesDir, 'gewerbeanmeldung-leipzig-xml');
  return {
    data: {
      content: readFileSync(join(dir, 'data.xml')),
      mimeType: 'application/xml',
      schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2',
    },
    attachments: [
      {
        content: readFileSync(join(dir, 'handelsregisterauszug.pdf')),
        mediaType: 'application/pdf',
        purpose: 'attachment',
        filename: 'handelsregisterauszug.pdf',
      },
    ],
  };
})();
