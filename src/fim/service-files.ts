/**
 * The service definition, the JSON mapping and the example envelope for an imported schema — plain objects;
 * operations/ writes them. The service is delivered as JSON (`standard: json`, the data as they are), its
 * attachment rules come from the file fields, and the mapping's schema is the generated one, whose `$id`
 * names the FIM schema (the message's schema URI).
 */
import type { FimSchema } from './model.js';
import type { Conversion } from './to-json-schema.js';
import type { ExampleData } from './example-data.js';

/** Used where the FIM schema says nothing (2.0 has no maxSize or media types): the report says so. */
export const defaultAttachmentRules = {
  maxBytes: 5 * 1024 * 1024,
  mediaTypes: ['application/pdf', 'image/jpeg', 'image/png'],
  /** For a file field without an upper cardinality. */
  countPerUnboundedField: 10,
};

/** The smallest PDF a receiver opens: the example envelope's attachments. */
const examplePdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
).toString('base64');

export interface ServiceNames {
  key: string;
  name: string;
  /** File name stem under config/services/, mappings/json/1/ and examples/. */
  fileStem: string;
}

export function serviceDefinition(
  fim: FimSchema,
  conversion: Conversion,
  names: ServiceNames,
  schemaFile: string,
): Record<string, unknown> {
  const { fileFields, report } = conversion;
  const attachments =
    fileFields.length === 0
      ? undefined
      : (() => {
          const maxCount = Math.min(
            100,
            fileFields.reduce((n, f) => n + (f.maxCount ?? defaultAttachmentRules.countPerUnboundedField), 0),
          );
          const sizes = fileFields.map((f) => f.field.maxSize).filter((s): s is number => s !== undefined);
          const mediaTypes = [...new Set(fileFields.flatMap((f) => f.field.mediaTypes))];
          if (sizes.length < fileFields.length || mediaTypes.length === 0)
            report.warnings.push(
              `attachment rules: ${sizes.length < fileFields.length ? `maxBytes ${defaultAttachmentRules.maxBytes} ` : ''}${mediaTypes.length === 0 ? `media types ${defaultAttachmentRules.mediaTypes.join(', ')} ` : ''}are the importer's defaults (the schema gives none)`,
            );
          return {
            maxCount,
            maxBytes: sizes.length === fileFields.length ? Math.max(...sizes) : defaultAttachmentRules.maxBytes,
            mediaTypes: mediaTypes.length > 0 ? mediaTypes : defaultAttachmentRules.mediaTypes,
          };
        })();
  return {
    key: names.key,
    name: names.name,
    description:
      `Imported from the FIM Stammdatenschema ${fim.id} version ${fim.version ?? '(none given)'} (XDatenfelder ${fim.xdfVersion}): ${fim.name}`.slice(
        0,
        1000,
      ),
    leikaSource: `Given by the operator on import (amtsbote services import-fim --key ${names.key}); check it against the LeiKa ids the FIM schema ${fim.id} names in its description before production use.`,
    dataSchema: schemaFile,
    ...(attachments ? { attachments } : {}),
    standard: { name: 'json', versions: ['1'] },
  };
}

export function jsonMapping(names: ServiceNames, schemaPathFromMapping: string): Record<string, unknown> {
  return {
    format: 'json',
    standard: 'json',
    version: '1',
    services: [names.key],
    messages: [`${names.fileStem}.antrag`],
    schema: schemaPathFromMapping,
    body: '$data',
  };
}

/** The example as a portal would send it, to a region given on import (Dresden by default). */
export function exampleEnvelope(names: ServiceNames, example: ExampleData, regionKey: string): Record<string, unknown> {
  return {
    serviceKey: names.key,
    regionKey,
    reference: `FIM-EXAMPLE-${names.fileStem}`.slice(0, 100),
    authentication: { method: 'none' },
    ...(example.attachmentIds.length > 0
      ? {
          attachments: example.attachmentIds.map((id) => ({
            id,
            filename: `${id}.pdf`,
            mediaType: 'application/pdf',
            content: examplePdf,
          })),
        }
      : {}),
    data: example.data,
  };
}
